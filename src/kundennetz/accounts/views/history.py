"""The change history on a record's page: who changed which field when, from what to what.

Consecutive historical records are compared with django-simple-history's `diff_against`. Related
records appear by name and choices by their label, never as raw ids; a record now in the trash still
shows its name.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import groupby

from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst, Truncator
from django.utils.translation import gettext as _

from kundennetz.core.formatting import format_number

from ..models import Contact, OpportunityContact

DEFAULT_LIMIT = 50
EMPTY = "–"


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: object
    action: str  # created, changed, trashed, restored, deleted
    changes: list[Change] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return {
            "created": _("Created"),
            "changed": _("Changed"),
            "trashed": _("Moved to the trash"),
            "restored": _("Restored from the trash"),
            "deleted": _("Deleted"),
        }[self.action]


@dataclass
class _RawChange:
    """A change before its values are turned into text (related names are looked up in bulk)."""

    field: models.Field
    old: object
    new: object
    label: str = ""
    about: tuple | None = None  # (model, pk) of the record the change concerns, named in the label
    suffix: str = ""  # added to the value that is not empty, e.g. a person's role in the deal


class _Names:
    """Names of related records, fetched with one query per related model, trash included."""

    def __init__(self):
        self.wanted: dict[type, set] = {}
        self.found: dict[tuple[type, object], str] = {}

    def want(self, model, *pks) -> None:
        self.wanted.setdefault(model, set()).update(pk for pk in pks if pk is not None)

    def fetch(self) -> None:
        for model, pks in self.wanted.items():
            for record in model._base_manager.filter(pk__in=pks):
                self.found[(model, record.pk)] = str(record)

    def name(self, model, pk) -> str:
        return self.found.get((model, pk)) or _("deleted record #%(id)s") % {"id": pk}


def _label(change: _RawChange, names: _Names) -> str:
    label = change.label or capfirst(change.field.verbose_name)
    if change.about:
        label = f"{label}: {names.name(*change.about)}"
    return label


def _text(model_field, value, names: _Names, suffix: str = "") -> str:
    text = _plain_text(model_field, value, names)
    return f"{text} ({suffix})" if suffix and text != EMPTY else text


def _plain_text(model_field, value, names: _Names) -> str:
    if isinstance(value, (set, frozenset)):
        if not value:
            return EMPTY
        return ", ".join(sorted(names.name(model_field.related_model, pk) for pk in value))
    if value is None or value == "":
        return EMPTY
    if model_field.is_relation:
        return names.name(model_field.related_model, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        whole = value == value.to_integral_value()
        return format_number(value, 0 if whole else getattr(model_field, "decimal_places", 2))
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return Truncator(str(value)).chars(160)


def _m2m_snapshots(rows, names: list[str]) -> dict[str, dict[int, set]]:
    """For each many-to-many field, the related ids each historical record saw (one query per field)."""
    snapshots = {}
    history_ids = [row.history_id for row in rows]
    meta = rows[0].instance_type._meta
    for name in names:
        target = meta.get_field(name).m2m_reverse_field_name() + "_id"
        snapshot_model = getattr(type(rows[0]), name).model
        by_record: dict[int, set] = {history_id: set() for history_id in history_ids}
        for history_id, related_id in (snapshot_model._default_manager.filter(history_id__in=history_ids)
                                       .values_list("history_id", target)):
            by_record[history_id].add(related_id)
        snapshots[name] = by_record
    return snapshots


def _diff(newer, older, m2m: dict[str, dict[int, set]], names: _Names) -> tuple[str, list[_RawChange]]:
    meta = newer.instance_type._meta
    if older is None:
        return ("created" if newer.history_type == "+" else "changed"), []
    if newer.history_type == "-":
        return "deleted", []
    delta = newer.diff_against(older, excluded_fields=list(m2m))
    changes = []
    for change in delta.changes:
        model_field = meta.get_field(change.field)
        if model_field.is_relation:
            names.want(model_field.related_model, change.old, change.new)
        changes.append(_RawChange(model_field, change.old, change.new))
    # diff_against would query the m2m rows of every pair; they are loaded for all records at once.
    for name, by_record in m2m.items():
        model_field = meta.get_field(name)
        old, new = by_record[older.history_id], by_record[newer.history_id]
        if old != new:
            names.want(model_field.related_model, *old, *new)
            changes.append(_RawChange(model_field, old, new))
    if older.deleted_at is None and newer.deleted_at is not None:
        return "trashed", changes
    if older.deleted_at is not None and newer.deleted_at is None:
        return "restored", changes
    return "changed", changes


# A record is saved first and its many-to-many fields (the account team) set right after, which the history
# keeps as a second version; filling the still empty fields right after is part of the creation, no change.
CREATION_STEP = timedelta(minutes=10)


def _completes_creation(newer, older, changes: list[_RawChange], m2m: dict) -> bool:
    return (older is not None and older.history_type == "+" and newer.history_type == "~"
            and bool(changes) and all(c.field.name in m2m and not c.old for c in changes)
            and newer.history_user_id == older.history_user_id
            and newer.history_date - older.history_date <= CREATION_STEP)


def _finish(raw_entries, names: _Names) -> list[Entry]:
    names.fetch()
    entries = []
    for when, who, action, raw in raw_entries:
        changes = [Change(_label(c, names), _text(c.field, c.old, names, c.suffix),
                          _text(c.field, c.new, names, c.suffix)) for c in raw]
        if changes or action != "changed":
            entries.append(Entry(when, who, action, changes))
    return entries


def _record_raw(record, limit: int, names: _Names) -> tuple[list, bool]:
    rows = list(record.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit + 1])
    truncated = len(rows) > limit
    if not rows:
        return [], False
    m2m = _m2m_snapshots(rows, [f.name for f in rows[0]._history_m2m_fields])
    raw = []
    for index, newer in enumerate(rows[:limit]):
        older = rows[index + 1] if index + 1 < len(rows) else None
        action, changes = _diff(newer, older, m2m, names)
        if _completes_creation(newer, older, changes, m2m):
            continue
        raw.append((newer.history_date, newer.history_user, action, changes))
    return raw, truncated


def _involvement_raw(opportunity, names: _Names) -> list:
    """Who was added to or removed from a deal, or got another role in it."""
    rows = (OpportunityContact.history.filter(opportunity_id=opportunity.pk).select_related("history_user")
            .order_by("id", "history_date", "history_id"))
    contact_field = OpportunityContact._meta.get_field("contact")
    role_field = OpportunityContact._meta.get_field("role")
    people = _("People involved")
    raw = []
    for _involvement, versions in groupby(rows, key=lambda row: row.id):
        previous = None
        for row in versions:
            names.want(Contact, row.contact_id)
            role = str(dict(role_field.flatchoices).get(row.role, row.role))
            if row.history_type == "+":
                changes = [_RawChange(contact_field, None, row.contact_id, people, suffix=role)]
            elif row.history_type == "-":
                changes = [_RawChange(contact_field, row.contact_id, None, people, suffix=role)]
            elif previous is not None and previous.role != row.role:
                changes = [_RawChange(role_field, previous.role, row.role, about=(Contact, row.contact_id))]
            else:
                changes = []
            if changes:
                raw.append((row.history_date, row.history_user, "changed", changes))
            previous = row
    return raw


def record_history(record, limit: int = DEFAULT_LIMIT, *, involvements: bool = False) -> tuple[list[Entry], bool]:
    """The latest changes to `record`, newest first, and whether older ones were left out.
    `involvements`: merge in who was added to or removed from the opportunity `record`."""
    names = _Names()
    raw, truncated = _record_raw(record, limit, names)
    if involvements:
        raw = sorted([*raw, *_involvement_raw(record, names)], key=lambda item: item[0], reverse=True)
        truncated = truncated or len(raw) > limit
        raw = raw[:limit]
    return _finish(raw, names), truncated
