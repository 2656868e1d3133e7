"""The importer: reads a file in chunks, cleans, resolves, matches, validates and writes its rows."""

from __future__ import annotations

import contextlib
import itertools
from collections import Counter, defaultdict

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone, translation
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kundennetz.core.models import User
from kundennetz.core.permissions import ADD, CHANGE, VIEW, can_create, restrict
from kundennetz.core.roles import Role
from kundennetz.domain.importing import (
    DuplicateTracker,
    FileProblem,
    Issue,
    Options,
    changed_fields,
    clean_row,
    decimal_evidence,
    normalise_key,
    split_full_name,
)

from .. import fields, layouts
from ..bulk import create_with_history
from ..models import ExternalReference
from .mapping import BULK, CHUNK, Mapping
from .outcomes import Outcome, Result, Row, display_value, json_value
from .records import db_lower, insert_records, pk_of
from .references import Catalogue, People


# --------------------------------------------------------------------------------------------------
# The importer
# --------------------------------------------------------------------------------------------------


class Importer:
    """Checks (and with `commit`, writes) the records of one file of `kind` as `user`."""

    def __init__(self, kind: str, user, mapping: Mapping, *, commit: bool = False, batch=None, sink=None,
                 progress=None, skip_errors: bool = False, chunk_guard=None):
        if kind not in fields.kinds():
            raise ValueError(f"unknown kind {kind!r}")
        self.kind, self.user, self.mapping, self.commit, self.batch = kind, user, mapping, commit, batch
        self.sink = sink or (lambda outcomes: None)
        self.progress = progress or (lambda rows: None)
        # Leave rows with errors out instead of stopping (the others are imported).
        self.skip_errors = skip_errors
        # Around each chunk of a commit (its own transaction, with a lock on the kind: see services).
        self.chunk_guard = chunk_guard or contextlib.nullcontext
        self.model = fields.model_for(kind)
        self.label = self.model._meta.label_lower
        self.specs = fields.specs(kind)
        self.key = mapping.key if mapping.key in fields.KEYS[kind] else fields.default_key(kind, mapping.mapped())
        self.managing = bool(user.is_managing)
        self.options = Options(date_order=mapping.date_order,
                               decimal=mapping.decimal if mapping.decimal in (".", ",") else None,
                               decimals=dict(mapping.decimals),
                               default_country=mapping.default_country, countries=layouts.countries())
        self.tracker = DuplicateTracker()
        self.plain_fields = [(t.name, t.model_field) for t in fields.targets(kind) if t.model_field]
        # `full_clean` leaves out what this import has checked already: the foreign keys it resolved
        # (each would cost a query per row) and the fields whose every rule (length, choices, digits,
        # range) the domain checked against the very same model field. URL and e-mail validators, the
        # model's own `clean()` and everything else still run.
        checked = {t.model_field for t in fields.targets(kind) if t.model_field and t.type in (
            "text", "longtext", "choice", "amount", "percent", "date", "integer", "phone", "country")}
        self.not_revalidated = ["id"] + [f.name for f in self.model._meta.concrete_fields
                                         if isinstance(f, models.ForeignKey) or f.name in checked]
        # What the cells of amount columns say about their decimal separator (check only; see services).
        self.numbers = {t.name for t in fields.targets(kind) if t.type in ("amount", "percent")}
        self.evidence: dict[str, Counter] = defaultdict(Counter)
        self.failed = False
        self.answered_opportunities: list[int] = []  # opportunities whose checklist this import answered
        self.reason = f"import #{batch.pk}" if batch is not None and batch.pk else "import"
        self._load_catalogues()

    # -- setup ------------------------------------------------------------------------------------

    def _load_catalogues(self) -> None:
        from kundennetz.accounts.models import ClosingReason, Segment, Stage

        self.owners = People(User.objects.filter(is_active=True, role=Role.ACCOUNT_MANAGER))
        # Records owned by someone of another role (the sales head, say) name them by user name in our
        # own export; that exact user name is accepted, whatever the role, so an export re-imports.
        self.other_owners = {user.username.casefold(): user for user in
                             User.objects.filter(is_active=True).exclude(role=Role.ACCOUNT_MANAGER)}
        if self.kind == "interactions":
            self.people = People(User.objects.filter(is_active=True))
        self.segments = Catalogue(Segment.objects.all())
        stages = list(Stage.objects.filter(is_active=True).order_by("order", "id"))
        self.stages = Catalogue(stages, layouts.stage_synonyms())
        self.first_stage_of = {}
        for stage in stages:
            self.first_stage_of.setdefault(stage.type, stage)
        self.reasons = Catalogue(ClosingReason.objects.filter(is_active=True))
        self.answer_fields = {name: name[len(fields.ANSWER_PREFIX):] for name in self.specs
                              if name.startswith(fields.ANSWER_PREFIX)}
        self.existing_answers: dict[int, dict[str, object]] = {}
        self._not_recorded = None
        if self.kind == "opportunities":
            from kundennetz.qualification.models import Catalogue as QuestionCatalogue

            self.question_catalogue = QuestionCatalogue.current()

    def not_recorded(self):
        """The closing reason of a historic lost deal whose file gives none."""
        from kundennetz.accounts.models import ClosingReason

        if self._not_recorded is None:
            self._not_recorded = ClosingReason.not_recorded()
        return self._not_recorded

    def _column_index(self, headers: list[str]) -> dict[str, list[tuple[str, int]]]:
        index = defaultdict(list)
        known = set(self.specs)
        for position, header in enumerate(headers):
            target = self.mapping.columns.get(header)
            if target in known:
                index[target].append((header, position))
        return index

    def _check_columns(self, index) -> Issue | None:
        labels = fields.labels(self.kind)
        available = set(index) | set(self.mapping.defaults)
        for group in fields.REQUIRED[self.kind]:
            if not any(name in available for name in group):
                return Issue("missing_column", {"field": labels[group[0]]}, row=1, field=group[0])
        for name in fields.KEY_FIELDS[(self.kind, self.key)]:
            if name in ("external_id", "email") and name not in available:
                return Issue("missing_column", {"field": labels[name]}, row=1, field=name)
        return None

    # -- running ----------------------------------------------------------------------------------

    def run(self, source) -> Result:
        result = Result()
        if not can_create(self.user):
            raise PermissionError("this user may not import")
        self.options.neutralised = source.format == "csv"
        index = self._column_index(source.headers)
        problem = self._check_columns(index)
        if problem is not None:
            result.file_problem = problem
            return result
        width = len(source.headers)
        records = iter(source.records)
        done = 0
        while True:
            chunk, stop = [], None
            try:
                chunk.extend(itertools.islice(records, CHUNK))
            except FileProblem as exc:
                stop = exc.issue()
            if chunk:
                with self.chunk_guard():
                    outcomes = self._process(chunk, index, width)
                    self.sink(outcomes)
                for outcome in outcomes:
                    result.counts[outcome.action] += 1
                result.counts["rows"] += len(outcomes)
                done += len(chunk)
                self.progress(done)
            if stop is not None:
                outcome = Outcome(stop.row or done + 2, "error", issues=[stop.as_dict()])
                result.counts["error"] += 1
                result.counts["rows"] += 1
                self.sink([outcome])
                self.failed = True
                break
            if len(chunk) < CHUNK:
                break
        return result

    def _process(self, chunk, index, width) -> list[Outcome]:
        rows = [self._clean(record, index, width) for record in chunk]
        self._resolve(rows)
        self._match(rows)
        self._build(rows)
        if any(row.issues for row in rows) and not self.skip_errors:
            self.failed = True
        if self.commit and not self.failed:
            self._write(rows)
        return [self._outcome(row) for row in rows]

    def _clean(self, record, index, width) -> Row:
        row = Row(record.row)
        if record.problem is not None:
            row.issues.append(record.problem)
            return row
        cells = record.cells
        if len(cells) > width and any(str(cell).strip() for cell in cells[width:] if cell is not None):
            row.issues.append(Issue("too_many_cells", {"count": len(cells), "expected": width}, row=record.row))
            return row
        raw = {}
        for name, columns in index.items():
            chosen = None
            for header, position in columns:
                cell = cells[position] if position < len(cells) else None
                if cell is not None and str(cell).strip() != "":
                    chosen = (header, cell)
                    break
            raw[name] = chosen or (columns[0][0], None)
        for name, value in self.mapping.defaults.items():
            if name in self.specs and (name not in raw or raw[name][1] is None):
                raw[name] = (None, value)
        if not self.commit and self.options.decimal is None:
            for name in self.numbers & raw.keys():
                header, cell = raw[name]
                if header is not None and header not in self.options.decimals:
                    said = decimal_evidence(cell)
                    if said:
                        self.evidence[header][said] += 1
        values, issues = clean_row(raw, self.specs, self.options, record.row)
        row.values, row.issues = values, issues
        row.columns = {name: column for name, (column, _cell) in raw.items()}
        if self.kind == "accounts" and values.get("is_company") is False:
            row.skip = Issue("not_a_company", {}, row=record.row)
        elif self.kind == "contacts":
            if values.get("is_company") is True:
                row.skip = Issue("a_company", {}, row=record.row)
            if values.get("full_name") and not (values.get("first_name") or values.get("last_name")):
                values["first_name"], values["last_name"] = split_full_name(values["full_name"])
                row.columns.setdefault("first_name", row.columns.get("full_name"))
                row.columns.setdefault("last_name", row.columns.get("full_name"))
            if not values.get("last_name") and not any(i.field in ("last_name", "full_name") for i in issues):
                row.problem("required", "last_name" if "last_name" in row.columns else "full_name")
        return row

    # -- references -------------------------------------------------------------------------------

    def _resolve(self, rows: list[Row]) -> None:
        # Rows with a bad cell are resolved too, so that a row reports all its problems at once.
        live = [row for row in rows if row.columns and row.skip is None]
        labels = fields.labels(self.kind)
        if self.kind in ("contacts", "opportunities", "interactions"):
            self._resolve_accounts(live)
        for row in live:
            values = row.values
            if "owner" in self.specs:
                text = values.get("owner", "")
                if text:
                    user, count = self.owners.find(text)
                    if user is None and count == 0 and text.strip().casefold() in self.other_owners:
                        user, count = self.other_owners[text.strip().casefold()], 1
                    if not self.managing:
                        # Checked once the record is known: a new one must be theirs, an existing one
                        # keeps its owner (so a team member can re-import an export unchanged).
                        pass
                    elif count > 1:
                        row.problem("ambiguous_reference", "owner", value=text, count=count)
                    elif user is None:
                        row.problem("unknown_owner", "owner", value=text)
                    row.refs["owner"] = user
            if values.get("segment"):
                segment = self.segments.find(values["segment"])
                if segment is None:
                    row.problem("unknown_reference", "segment", what=labels["segment"], value=values["segment"])
                row.refs["segment"] = segment
            if self.kind == "opportunities":
                self._resolve_stage(row, labels)
            if self.kind == "interactions" and values.get("our_people"):
                people = []
                for name in [part for part in values["our_people"].replace(";", ",").split(",") if part.strip()]:
                    user, count = self.people.find(name)
                    if user is None:
                        row.problem("unknown_reference", "our_people", what=labels["our_people"], value=name.strip())
                    else:
                        people.append(user)
                row.refs["our_people"] = people

    def _resolve_stage(self, row: Row, labels) -> None:
        values = row.values
        stage = None
        if values.get("stage"):
            stage = self.stages.find(values["stage"])
            if stage is None:
                row.problem("unknown_reference", "stage", what=labels["stage"], value=values["stage"])
        status = values.get("status")
        if status in ("won", "lost") and (stage is None or stage.type != status):
            stage = self.first_stage_of.get(status)
        if stage is not None:
            row.refs["stage"] = stage
        if values.get("closing_reason"):
            reason = self.reasons.find(values["closing_reason"])
            if reason is None:
                row.problem("unknown_reference", "closing_reason", what=labels["closing_reason"],
                            value=values["closing_reason"])
            elif row.columns.get("closing_reason") is None and (stage is None or stage.type != reason.applies_to):
                # A closing reason set for all rows is meant for the rows it fits (the lost ones, say).
                reason = None
            row.refs["closing_reason"] = reason

    def _resolve_accounts(self, rows: list[Row]) -> None:
        from kundennetz.accounts.models import Account

        labels = fields.labels(self.kind)
        visible = Account.objects.restrict(self.user, VIEW)
        external_ids = {row.values["account_external_id"] for row in rows if row.values.get("account_external_id")}
        names = {db_lower(row.values["account"]) for row in rows
                 if row.values.get("account") and not row.values.get("account_external_id")}
        by_external, by_name = defaultdict(list), defaultdict(list)
        if external_ids:
            for account in visible.filter(external_id__in=external_ids):
                by_external[account.external_id].append(account)
        if names:
            for account in visible.annotate(_lname=Lower("name")).filter(_lname__in=names):
                by_name[normalise_key(account.name)].append(account)
        found = {account.pk for accounts in (*by_external.values(), *by_name.values()) for account in accounts}
        allowed = set(restrict(Account.objects.filter(pk__in=found), self.user, ADD).values_list("pk", flat=True))
        for row in rows:
            external, name = row.values.get("account_external_id"), row.values.get("account")
            if external:
                field_name, value, candidates = "account_external_id", external, by_external.get(external, [])
            elif name:
                field_name, value, candidates = "account", name, by_name.get(normalise_key(name), [])
            else:
                column = "account" if "account" in row.columns else "account_external_id"
                row.problem("required", column)
                continue
            if len(candidates) > 1 and row.values.get("account_city"):
                city = normalise_key(row.values["account_city"])
                narrowed = [account for account in candidates if normalise_key(account.city) == city]
                candidates = narrowed or candidates
            if not candidates:
                row.problem("unknown_reference", field_name, what=labels["account"], value=value)
            elif len(candidates) > 1:
                row.problem("ambiguous_reference", field_name, value=value, count=len(candidates))
            elif candidates[0].pk not in allowed:
                row.problem("account_not_allowed", field_name, value=candidates[0].name)
            else:
                row.refs["account"] = candidates[0]

    # -- keys -------------------------------------------------------------------------------------

    def _key_of(self, row: Row) -> tuple | None:
        """The row's key: the chosen one, or — where the row leaves it empty — the next one that it
        fills (an export row without an external ID is found by its e-mail or its name)."""
        values, refs = row.values, row.refs
        kind = self.kind
        chain = fields.KEYS[kind][fields.KEYS[kind].index(self.key):]
        for key in chain:
            if key in ("external_id", "email"):
                if values.get(key):
                    return (key, values[key])
                continue
            if kind == "accounts":
                return (key, normalise_key(values.get("name")), normalise_key(values.get("city")))
            account = refs.get("account")
            if kind == "contacts":
                return (key, normalise_key(values.get("first_name")), normalise_key(values.get("last_name")),
                        account.pk)
            if kind == "opportunities":
                return (key, normalise_key(values.get("title")), account.pk)
            return (key, account.pk, str(values.get("date")), values.get("type") or "meeting",
                    normalise_key(values.get("topics")))
        return None

    def _match(self, rows: list[Row]) -> None:
        key_label = str(fields.KEY_LABELS[self.key]).split(" (")[0]
        for row in rows:
            if not row.live:
                continue
            row.key = self._key_of(row)
            if row.key is None:
                row.problem("missing_key", fields.KEY_FIELDS[(self.kind, self.key)][0], key=key_label)
                continue
            first = self.tracker.first_row(row.key, row.row)
            if first is not None:
                row.skip = Issue("duplicate_in_file", {"first_row": first}, row=row.row)
        keyed = defaultdict(list)
        for row in rows:
            if row.live:
                keyed[row.key[0]].append(row)
        self.existing = {}
        for key, group in keyed.items():
            self.existing.update(self._lookup(group, key))
        found = {obj.pk for objects in self.existing.values() for obj in objects}
        self.changeable = set(restrict(self.model.objects.filter(pk__in=found), self.user, CHANGE)
                              .values_list("pk", flat=True)) if found else set()
        # A record the user may not see does not exist for them, as in the API: an import (and its dry
        # run) tells nothing about it, neither that it exists nor how many there are.
        self.visible = set(restrict(self.model.objects.filter(pk__in=found), self.user, VIEW)
                           .values_list("pk", flat=True)) if found else set()
        self.existing_answers = self._answers_of(found) if found and self.answer_fields else {}

    def _answers_of(self, opportunity_ids) -> dict[int, dict[str, object]]:
        """The stored headline answers of existing opportunities (one query per chunk)."""
        from kundennetz.qualification.models import Answer

        result: dict[int, dict[str, object]] = defaultdict(dict)
        for opportunity_id, question_id, value in Answer.objects.filter(
                checklist__opportunity_id__in=opportunity_ids,
                question_id__in=list(self.answer_fields.values())).values_list(
                "checklist__opportunity_id", "question_id", "value"):
            result[opportunity_id][question_id] = value
        return result

    def _row_answers(self, row: Row) -> dict[str, str]:
        """Question id → "yes"/"no"/"open" for the answer cells of `row` that are not empty."""
        return {key: row.values[name] for name, key in self.answer_fields.items() if row.values.get(name)}

    def _lookup(self, rows: list[Row], key: str) -> dict[tuple, list]:
        """Existing records (not in the trash) for the `key` keys of `rows`, by key."""
        model, kind = self.model, self.kind
        queryset = model.objects.all()
        if kind == "accounts":
            queryset = queryset.select_related("owner", "segment")
        elif kind == "opportunities":
            queryset = queryset.select_related("account", "owner", "stage", "closing_reason")
        elif kind in ("contacts", "interactions"):
            queryset = queryset.select_related("account")
        keys = [row.key[1:] for row in rows]
        lowered = lambda name: {db_lower(row.values.get(name, "")) for row in rows}
        if key == "external_id" and kind == "accounts":
            # Through all_objects: with the trash condition SQLite prefers the (deleted_at, name) index and
            # scans every live account for each chunk; the external ID's own index finds them directly.
            objects = [obj for obj in model.all_objects.select_related("owner", "segment").filter(
                external_id__in={k[0] for k in keys}) if obj.deleted_at is None]
            key_of = lambda obj: (obj.external_id,)
        elif key == "external_id":
            references = dict(ExternalReference.objects.filter(model=self.label, external_id__in={k[0] for k in keys})
                              .values_list("object_id", "external_id"))
            related = list(queryset.query.select_related or {})
            objects = [obj for obj in model.all_objects.filter(pk__in=references).select_related(*related)
                       if obj.deleted_at is None] if references else []
            key_of = lambda obj: (references[obj.pk],)
        elif key == "email":
            objects = queryset.filter(email__in={k[0] for k in keys})
            key_of = lambda obj: (obj.email.lower(),)
        elif kind == "accounts":
            objects = queryset.annotate(_lname=Lower("name")).filter(_lname__in=lowered("name"))
            key_of = lambda obj: (normalise_key(obj.name), normalise_key(obj.city))
        elif kind == "contacts":
            objects = queryset.annotate(_lname=Lower("last_name")).filter(
                _lname__in=lowered("last_name"), account_id__in={k[2] for k in keys})
            key_of = lambda obj: (normalise_key(obj.first_name), normalise_key(obj.last_name), obj.account_id)
        elif kind == "opportunities":
            objects = queryset.annotate(_ltitle=Lower("title")).filter(
                _ltitle__in=lowered("title"), account_id__in={k[1] for k in keys})
            key_of = lambda obj: (normalise_key(obj.title), obj.account_id)
        else:
            objects = queryset.filter(account_id__in={k[0] for k in keys})
            key_of = lambda obj: (obj.account_id, str(obj.date), obj.type, normalise_key(obj.topics))
        wanted = set(keys)
        result = defaultdict(list)
        for obj in objects:
            k = key_of(obj)
            if k in wanted:
                result[(key, *k)].append(obj)
        return result

    # -- building and validating ------------------------------------------------------------------

    def _new_values(self, row: Row) -> dict:
        """Model attribute → value for what this row states (empty cells state nothing)."""
        values = {}
        given = row.values
        for name, model_field in self.plain_fields:
            value = given.get(name)
            if value is not None and value != "":
                values[model_field] = value
        for name in ("segment", "stage", "closing_reason", "account"):
            if row.refs.get(name) is not None:
                values[name] = row.refs[name]
        if self.managing and row.refs.get("owner") is not None:
            values["owner"] = row.refs["owner"]
        return values

    def _build(self, rows: list[Row]) -> None:
        for row in rows:
            if not row.live:
                continue
            everyone = self.existing.get(row.key, [])
            matches = [obj for obj in everyone if obj.pk in self.visible]
            if everyone and not matches and row.key[0] == "external_id" and self.kind != "accounts":
                # The external ID is unique: it cannot be given to a new record either (the API says the same).
                row.problem("key_in_use", fields.KEY_FIELDS[(self.kind, "external_id")][0])
                continue
            if len(matches) > 1:
                key_label = str(fields.KEY_LABELS[row.key[0]]).split(" (")[0]
                row.problem("ambiguous_key", None, count=len(matches), key=key_label)
                continue
            new = self._new_values(row)
            if matches:
                obj = matches[0]
                if obj.pk not in self.changeable:
                    row.problem("not_permitted")
                    continue
                if not self._owner_allowed(row, getattr(obj, "owner_id", None)):
                    continue
                current = {name: getattr(obj, name) for name in new}
                changes = changed_fields(current, new)
                stored = self.existing_answers.get(obj.pk, {})
                for key, value in self._row_answers(row).items():
                    if stored.get(key) != value:
                        changes[fields.answer_field(key)] = (stored.get(key) or "", value)
                if self.kind == "interactions" and "our_people" in row.refs:
                    people = {user.pk for user in row.refs["our_people"]}
                    if people - set(obj.our_people.values_list("pk", flat=True)):
                        changes["our_people"] = ("", ", ".join(sorted(u.username for u in row.refs["our_people"])))
                if not changes:
                    row.obj, row.action = obj, "unchanged"
                    continue
                for name, (_old, value) in changes.items():
                    if name != "our_people" and name not in self.answer_fields:
                        setattr(obj, name, value)
                row.obj, row.action, row.changes = obj, "update", changes
            else:
                if not self._owner_allowed(row, self.user.pk):
                    continue
                obj = self.model(**new)
                if "owner" in self.specs and obj.owner_id is None:
                    if not self.managing:
                        obj.owner = self.user
                    elif self.kind == "opportunities" and row.refs.get("account") is not None:
                        obj.owner = row.refs["account"].owner
                    else:
                        row.problem("missing_owner", "owner")
                        continue
                if self.kind == "opportunities":
                    if obj.stage_id is None:
                        obj.stage = self.first_stage_of.get("open")
                    self._mark_historic(obj)
                    if obj.stage_id is not None and obj.stage.is_closed:
                        # A deal imported already closed carries no pursuit decision: the stage gate
                        # (won needs "pursue") does not apply to it, dated or not.
                        obj.is_historic = True
                row.obj, row.action = obj, "create"
            if self._row_answers(row) and self.question_catalogue is None:
                row.problem("no_catalogue")
                continue
            self._validate(row)

    def _mark_historic(self, obj) -> None:
        """A deal that comes in already won or lost, with the day it closed, is history: it never went
        through the pipeline, so the pursuit gate does not apply, and a lost one without a reason gets
        the reason "not recorded"."""
        stage = obj.stage if obj.stage_id else None
        if stage is None or stage.type not in ("won", "lost") or obj.closed_on is None:
            return
        obj.historic = True
        if stage.type == "lost" and obj.closing_reason_id is None:
            obj.closing_reason = self.not_recorded()

    def _owner_allowed(self, row: Row, expected: int | None) -> bool:
        """An account manager's file may name an owner only where it changes nothing."""
        if self.managing or "owner" not in self.specs or not row.values.get("owner"):
            return True
        user = row.refs.get("owner")
        if user is None or user.pk != expected:
            row.problem("owner_not_allowed", "owner", value=row.values["owner"])
            return False
        return True

    def _validate(self, row: Row) -> None:
        obj = row.obj
        exclude = self.not_revalidated + [issue.field for issue in row.issues if issue.field]
        try:
            obj.full_clean(exclude=exclude, validate_unique=False)
        except ValidationError as exc:
            with translation.override("en"):
                english = exc.message_dict
            with translation.override("de-ch"):
                german = exc.message_dict
            for name, messages in english.items():
                field_name = None if name == NON_FIELD_ERRORS else name
                for position, message in enumerate(messages):
                    row.problem("model_validation", field_name, message_en=message,
                                message_de=german.get(name, messages)[position])

    # -- writing ----------------------------------------------------------------------------------

    def _write(self, rows: list[Row]) -> None:
        now = timezone.now()
        creates = [row for row in rows if row.action == "create" and not row.issues]
        updates = [row for row in rows if row.action == "update" and not row.issues]
        records = []
        if creates:
            objects = [row.obj for row in creates]
            for obj in objects:
                if hasattr(obj, "stamp"):
                    obj.stamp(self.user)
            create_with_history(objects, self.model, user=self.user, reason=self.reason, when=now)
            if self.kind != "accounts":
                self._write_references(creates)
            if self.kind == "interactions":
                through = self.model.our_people.through
                through.objects.bulk_create([through(interaction_id=row.obj.pk, user_id=user.pk)
                                             for row in creates for user in row.refs.get("our_people", [])],
                                            batch_size=BULK)
            batch_id = getattr(self.batch, "pk", None)
            records += [(batch_id, self.label, row.obj.pk, "created", {}, {}) for row in creates]
        if updates:
            names = set()
            for row in updates:
                row.obj.updated_by = self.user
                row.obj.updated_at = now
                names |= {name for name in row.changes if self._is_model_field(name)}
                row.previous = {self.model._meta.get_field(name).attname: json_value(pk_of(old))
                                for name, (old, _new) in row.changes.items() if self._is_model_field(name)}
            bulk_update_with_history([row.obj for row in updates], self.model,
                                     sorted(names | {"updated_by", "updated_at"}), batch_size=BULK,
                                     default_user=self.user, default_change_reason=self.reason, default_date=now)
            if self.kind == "interactions":
                through = self.model.our_people.through
                through.objects.bulk_create([through(interaction_id=row.obj.pk, user_id=user.pk)
                                             for row in updates if "our_people" in row.changes
                                             for user in row.refs.get("our_people", [])],
                                            batch_size=BULK, ignore_conflicts=True)
            records += [(getattr(self.batch, "pk", None), self.label, row.obj.pk, "updated", row.previous,
                         {self.model._meta.get_field(name).attname: json_value(pk_of(new))
                          for name, (_old, new) in row.changes.items() if self._is_model_field(name)})
                        for row in updates]
        if records and self.batch is not None:
            insert_records(records)
        if self.answer_fields:
            answered = [row for row in creates + updates if self._row_answers(row)]
            if answered:
                self._write_answers(answered, now)

    def _is_model_field(self, name: str) -> bool:
        return name != "our_people" and name not in self.answer_fields

    def _write_answers(self, rows: list[Row], now) -> None:
        """The rows' headline answers as the opportunities' checklist answers (current catalogue), with
        history naming the importer; each touched checklist's recommendation is evaluated afresh."""
        from kundennetz.qualification.models import Answer, Checklist
        from kundennetz.qualification.services import refresh_summaries

        wanted = {row.obj.pk: self._row_answers(row) for row in rows}
        checklists = {checklist.opportunity_id: checklist
                      for checklist in Checklist.objects.filter(opportunity_id__in=wanted)}
        new = []
        for opportunity_id in wanted:
            if opportunity_id not in checklists:
                checklist = Checklist(opportunity_id=opportunity_id, catalogue=self.question_catalogue)
                checklist.stamp(self.user)
                new.append(checklist)
        if new:
            Checklist.objects.bulk_create(new, batch_size=BULK)
            if any(checklist.pk is None for checklist in new):  # a backend that returns no keys
                checklists.update({c.opportunity_id: c for c in Checklist.objects.filter(
                    opportunity_id__in=[c.opportunity_id for c in new])})
            else:
                checklists.update({checklist.opportunity_id: checklist for checklist in new})
        by_checklist = {checklists[opportunity_id].pk: answers for opportunity_id, answers in wanted.items()}
        existing = {(answer.checklist_id, answer.question_id): answer for answer in Answer.objects.filter(
            checklist_id__in=by_checklist, question_id__in=list(self.answer_fields.values()))}
        creates, updates = [], []
        for checklist_id, answers in by_checklist.items():
            for question_id, value in answers.items():
                answer = existing.get((checklist_id, question_id))
                if answer is None:
                    creates.append(Answer(checklist_id=checklist_id, question_id=question_id, value=value,
                                          updated_by=self.user, updated_at=now))
                elif answer.value != value:
                    answer.value, answer.updated_by, answer.updated_at = value, self.user, now
                    updates.append(answer)
        if creates:
            bulk_create_with_history(creates, Answer, batch_size=BULK, default_user=self.user,
                                     default_change_reason=self.reason, default_date=now)
        if updates:
            bulk_update_with_history(updates, Answer, ["value", "updated_by", "updated_at"], batch_size=BULK,
                                     default_user=self.user, default_change_reason=self.reason, default_date=now)
        refresh_summaries(list(by_checklist))
        self.answered_opportunities.extend(wanted)
        from kundennetz.winloss.services import refresh_scores

        refresh_scores(list(wanted))

    def _write_references(self, creates: list[Row]) -> None:
        pairs = [(row.values["external_id"], row.obj.pk) for row in creates if row.values.get("external_id")]
        if not pairs:
            return
        # A reference left by a record now in the trash gives way to the new record.
        ExternalReference.objects.filter(model=self.label, external_id__in=[p[0] for p in pairs]).delete()
        ExternalReference.objects.bulk_create(
            [ExternalReference(model=self.label, external_id=external, object_id=pk, batch=self.batch)
             for external, pk in pairs], batch_size=BULK)

    # -- reporting --------------------------------------------------------------------------------

    def _outcome(self, row: Row) -> Outcome:
        label = self._label(row)
        if row.issues:
            return Outcome(row.row, "error", label, issues=[issue.as_dict() for issue in row.issues])
        if row.skip is not None:
            return Outcome(row.row, "skip", label, issues=[row.skip.as_dict()])
        changes = {name: [display_value(old), display_value(new)] for name, (old, new) in row.changes.items()}
        return Outcome(row.row, row.action, label, object_id=row.obj.pk if row.obj is not None else None,
                       changes=changes)

    def _label(self, row: Row) -> str:
        values = row.values
        if self.kind == "accounts":
            text = " · ".join(part for part in (values.get("name", ""), values.get("city", "")) if part)
        elif self.kind == "contacts":
            text = " ".join(part for part in (values.get("first_name", ""), values.get("last_name", "")) if part)
            account = row.refs.get("account")
            if account is not None:
                text += f" ({account.name})"
        elif self.kind == "opportunities":
            text = values.get("title", "")
        else:
            text = " · ".join(str(part) for part in (values.get("date") or "", values.get("type", ""),
                                                     values.get("topics", "")) if part)
        return text[:300]
