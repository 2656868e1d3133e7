"""The domain's refusals that people get to read: a code, the place and the values, never a sentence.

A `DomainError` names the rule broken in ``code`` ("not_a_number", "max_below_min", …), the place in a
document in ``path`` ("axes.position.criteria[0].weight"; empty when there is no document) and the values
and names involved in ``params``. The adapters word the code through the translation catalogue; the
message (``str(error)``) is English for developers and logs and is never shown to a person.
"""

from __future__ import annotations


class DomainError(ValueError):
    """A refusal with ``code``, ``path`` and ``params`` for the adapters to word."""

    def __init__(self, code: str, message: str, /, *, path: str = "", **params: object):
        super().__init__(message)
        self.code, self.path, self.params = code, path, params


def json_kind(value: object) -> str:
    """What JSON calls the value's type: object, array, string, boolean, number or null (a code)."""
    for types, name in ((dict, "object"), ((list, tuple), "array"), (str, "string"), (bool, "boolean"),
                        ((int, float), "number")):
        if isinstance(value, types):
            return name
    return "null" if value is None else type(value).__name__
