"""Problems an import can report: reason codes with parameters (the sentences are the adapter's,
``imports.messages``)."""

from __future__ import annotations

from dataclasses import dataclass, field


# --------------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem: a reason code with parameters, and where it is (row 1 is the header row)."""

    code: str
    params: dict = field(default_factory=dict)
    row: int | None = None
    column: str | None = None
    field: str | None = None

    def as_dict(self) -> dict:
        """As JSON-safe values (a Decimal minimum becomes its text), to be stored with the row."""
        params = {key: value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
                  for key, value in self.params.items()}
        return {"code": self.code, "params": params, "row": self.row, "column": self.column,
                "field": self.field}


class CellError(ValueError):
    """A cell's value cannot be used; carries the reason code and its parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


class FileProblem(ValueError):
    """The file as a whole cannot be read (encoding, format, header)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def issue(self) -> Issue:
        return Issue(self.code, self.params, row=self.params.get("row"))
