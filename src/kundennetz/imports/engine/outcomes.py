"""Outcomes of an import: one per row, the result of the run, and how values are shown in them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from kundennetz.domain.importing import Issue


# --------------------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    row: int
    action: str
    label: str = ""
    object_id: int | None = None
    issues: list[dict] = field(default_factory=list)
    changes: dict = field(default_factory=dict)


@dataclass
class Result:
    counts: Counter = field(default_factory=Counter)
    file_problem: Issue | None = None

    @property
    def ok(self) -> bool:
        return self.file_problem is None and not self.counts.get("error")


@dataclass
class Row:
    """One row on its way through the chunk."""

    row: int
    values: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    issues: list = field(default_factory=list)
    refs: dict = field(default_factory=dict)
    skip: Issue | None = None
    key: tuple | None = None
    obj: models.Model | None = None
    action: str = ""
    changes: dict = field(default_factory=dict)
    previous: dict = field(default_factory=dict)

    def problem(self, code: str, field_name: str | None = None, **params) -> None:
        self.issues.append(Issue(code, params, row=self.row, column=self.columns.get(field_name),
                                 field=field_name))

    @property
    def live(self) -> bool:
        return not self.issues and self.skip is None


def json_value(value):
    """The value as it is kept in JSON (dates, decimals and the like as text)."""
    return DjangoJSONEncoder().default(value) if value is not None and not isinstance(
        value, (str, int, float, bool)) else value


def display_value(value) -> str:
    """The value as a change of a row shows it ("" for none)."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value)
    return str(json_value(value))
