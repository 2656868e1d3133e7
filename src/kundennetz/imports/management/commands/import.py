"""`kundennetz import FILE --kind accounts|contacts|opportunities|interactions`: bring in a file of any size.

    kundennetz import kunden.csv --kind accounts --as anna            # dry run: what would happen
    kundennetz import kunden.csv --kind accounts --as anna --commit   # import, all or nothing
    kundennetz import deals.xlsx --kind opportunities --mapping "Pipedrive deals" --key external_id
    kundennetz import export.csv --kind accounts --map "Firma=name" --default owner=anna --date-order mdy
    kundennetz import --undo 42 --as chef                                # undo import #42
    kundennetz import --undo 42 --as chef --attached trash               # … with what was attached since

Without --commit nothing is written. With --commit every row is imported in one transaction, or none
if any row has an error (the errors are listed). The file is streamed: 100,000 rows need no more memory
than 100; progress is printed every 1,000 rows. `--mapping` takes "auto" (the default: the columns of
the CRM export recognised), the name of a mapping saved in the web wizard, or a JSON file.
"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from kundennetz.core.models import User
from kundennetz.core.numberfields import whole_number_argument
from kundennetz.core.permissions import restrict
from kundennetz.core.roles import Role
from kundennetz.domain.importing import (
    DATE_ORDERS,
    ENCODING_NAMES,
    FileProblem,
)

from ... import fields, guessing
from ...engine import Mapping, adapt, suggest
from ...messages import describe
from ...models import SavedMapping
from ...services import import_file


class Command(BaseCommand):
    help = "Import accounts, contacts, opportunities or interactions from a CSV or Excel file (dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--kind", choices=list(fields.TARGETS))
        parser.add_argument("--undo", type=whole_number_argument, metavar="BATCH_ID",
                            help="Undo the import with this number (its new records to the trash, changed values back).")
        parser.add_argument("--attached", choices=["keep", "trash"], default="keep",
                            help="With --undo: keep the records others attached to its new records since (default), "
                                 "or move them to the trash too.")
        parser.add_argument("--mapping", default="auto",
                            help='"auto", the name of a saved mapping, or a JSON file with one.')
        parser.add_argument("--key", choices=["external_id", "name_city", "email"],
                            help="How a row finds the record it updates (default: external ID if the file has "
                                 "one, else e-mail for contacts, else name and city).")
        parser.add_argument("--commit", action="store_true", help="Import (all rows or none).")
        parser.add_argument("--as", dest="username",
                            help="User name of the importer (default: the first active administrator).")
        parser.add_argument("--date-order", choices=DATE_ORDERS, help="How dates with slashes are read.")
        parser.add_argument("--decimal", choices=["auto", ".", ","],
                            help="Decimal separator for the ambiguous 1.250 / 1,250.")
        parser.add_argument("--encoding", default=None, help="Text encoding (default: detected).")
        parser.add_argument("--delimiter", default=None, help="; , tab or | (default: detected).")
        parser.add_argument("--country", default=None, help="Country of phone numbers without prefix (CH).")
        parser.add_argument("--map", action="append", default=[], metavar="HEADER=FIELD",
                            help="Map a column to a field (FIELD empty: do not import it).")
        parser.add_argument("--default", action="append", default=[], metavar="FIELD=VALUE",
                            help="A value for every row whose cell is empty or missing.")
        parser.add_argument("--errors", type=whole_number_argument, default=50, help="How many problem rows to list.")

    def handle(self, *args, **options):
        if options["undo"] is not None:
            return self._undo(options)
        if not options["file"] or not options["kind"]:
            raise CommandError("Name the FILE and its --kind (or --undo BATCH_ID).")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        kind = options["kind"]
        if kind not in fields.kinds():
            raise CommandError("Interactions cannot be imported yet: their app has no model.")
        user = self._user(options["username"])
        translation.activate(user.language or "en")
        self.language = translation.get_language()
        self.verbosity = options["verbosity"]
        self.shown = 0
        self.limit = options["errors"]
        self.problems = 0
        overrides = self._overrides(options)

        def prepare(source, mapping):
            mapping = self._mapping(options["mapping"], user, kind, source.headers, overrides)
            self._describe_source(source, mapping, kind)
            return mapping

        base = Mapping.from_json({"encoding": options["encoding"] or "auto",
                                  "delimiter": options["delimiter"] or "auto"})
        try:
            result, batch = import_file(str(path), kind, user, base, commit_changes=options["commit"],
                                        sink=self._report, progress=self._progress, on_open=prepare)
        except FileProblem as exc:
            raise CommandError(describe(exc.code, exc.params, self.language)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        if result.file_problem is not None:
            raise CommandError(describe(result.file_problem.code, result.file_problem.params, self.language))
        counts = result.counts
        self.stdout.write(self._summary(counts))
        if self.problems > self.shown:
            self.stdout.write(f"… {self.problems - self.shown} more rows with problems")
        if not result.ok:
            raise CommandError("Nothing was imported: correct the rows listed above." if options["commit"]
                               else "The file has errors; nothing would be imported.")
        if batch is not None:
            self.stdout.write(self.style.SUCCESS(f"Imported as batch #{batch.pk}."))
        else:
            self.stdout.write("Dry run: nothing was written. Add --commit to import.")

    def _undo(self, options) -> None:
        """Undo a batch right here (the same steps a worker runs), printing what happened."""
        from ...models import ImportBatch
        from ...services import ImportRefused, attached_since, undo
        from ...tasks import request_undo

        user = self._user(options["username"])
        translation.activate(user.language or "en")
        batch = ImportBatch.objects.filter(pk=options["undo"]).first()
        if batch is None:
            raise CommandError(f"No import #{options['undo']}.")
        for item in attached_since(batch):
            self.stdout.write(f"{item.count} {item.model._meta.verbose_name_plural} attached since "
                              f"({'moved to the trash too' if options['attached'] == 'trash' else 'kept'})")
        try:
            request_undo(batch, user, options["attached"], queue=False)
            summary = undo(batch, user, options["attached"])
        except (ImportRefused, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Import #{batch.pk} undone: {summary.trashed + summary.dependants} records moved to the trash, "
            f"{summary.restored_fields} values restored, {summary.kept_fields} values changed since kept."))

    # -- helpers ----------------------------------------------------------------------------------

    def _user(self, username):
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            return user
        user = User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk").first()
        if user is None:
            raise CommandError("No active administrator; name the importer with --as USER.")
        return user

    def _overrides(self, options) -> dict:
        overrides = {"columns": {}, "defaults": {}}
        for item in options["map"]:
            header, sep, target = item.partition("=")
            if not sep:
                raise CommandError(f"--map expects HEADER=FIELD, not {item!r}")
            overrides["columns"][header.strip()] = target.strip() or None
        for item in options["default"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--default expects FIELD=VALUE, not {item!r}")
            overrides["defaults"][name.strip()] = value.strip()
        for name in ("key", "date_order", "decimal", "encoding", "delimiter"):
            if options.get(name):
                overrides[name] = options[name]
        if options.get("country"):
            overrides["default_country"] = options["country"].upper()
        return overrides

    def _mapping(self, choice, user, kind, headers, overrides) -> Mapping:
        if choice in ("", "auto"):
            mapping = suggest(headers, kind)
        elif choice.endswith(".json") and Path(choice).is_file():
            mapping = adapt(json.loads(Path(choice).read_text(encoding="utf-8")), headers, kind)
        else:
            saved = restrict(SavedMapping.objects.filter(kind=kind, name=choice), user).first()
            if saved is None:
                raise CommandError(f"No saved mapping {choice!r} of {user.username} for {kind}.")
            mapping = adapt(saved.mapping, headers, kind)
        known = set(fields.field_names(kind))
        for header, target in overrides["columns"].items():
            if header not in headers:
                raise CommandError(f"The file has no column {header!r}.")
            if target and target not in known:
                raise CommandError(f"Unknown field {target!r}; fields: {', '.join(sorted(known))}")
            mapping.columns[header] = target
        for name, value in overrides["defaults"].items():
            if name not in known:
                raise CommandError(f"Unknown field {name!r}; fields: {', '.join(sorted(known))}")
            mapping.defaults[name] = value
        for name in ("key", "date_order", "decimal", "encoding", "delimiter", "default_country"):
            if name in overrides:
                setattr(mapping, name, overrides[name])
        return mapping

    def _describe_source(self, source, mapping, kind) -> None:
        if self.verbosity < 1:
            return
        layout = guessing.layout_names().get(mapping.layout or "", "–")
        details = [f"format {source.format}"]
        if source.format == "csv":
            details += [f"encoding {ENCODING_NAMES.get(source.encoding, source.encoding)}",
                        f"delimiter {'Tab' if source.delimiter == chr(9) else source.delimiter}"]
        self.stdout.write(f"{', '.join(details)}; layout: {layout}; key: {mapping.key}")
        labels = fields.labels(kind)
        for header in source.headers:
            target = mapping.columns.get(header)
            self.stdout.write(f"  {header} → {labels.get(target, '–') if target else '–'}")
        for name, value in mapping.defaults.items():
            self.stdout.write(f"  ({value}) → {labels.get(name, name)}")

    def _progress(self, rows: int) -> None:
        if self.verbosity >= 1 and rows % 10_000 == 0:
            self.stdout.write(f"… {rows:,} rows".replace(",", "'"))

    def _report(self, outcomes) -> None:
        row_word = "Zeile" if self.language.startswith("de") else "Row"
        for outcome in outcomes:
            if outcome.action not in ("error", "skip"):
                continue
            self.problems += 1
            if self.shown >= self.limit:
                continue
            self.shown += 1
            for issue in outcome.issues:
                where = f"{row_word} {outcome.row}" + (f", {issue['column']}" if issue.get("column") else "")
                marker = "ERROR" if outcome.action == "error" else "skip"
                self.stdout.write(f"{marker} {where}: {describe(issue['code'], issue['params'], self.language)}")

    def _summary(self, counts) -> str:
        return (f"{counts.get('rows', 0)} rows: {counts.get('create', 0)} to create, {counts.get('update', 0)} to "
                f"update, {counts.get('unchanged', 0)} unchanged, {counts.get('skip', 0)} skipped, "
                f"{counts.get('error', 0)} with errors")
