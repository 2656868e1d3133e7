"""`kundennetz plan compute|export|planned`: compute a scenario, export its result per account, or print
the one planned figure of accounts.

    kundennetz plan planned [--account ID ...] [--date YYYY-MM-DD]   (one JSON object per line)

    kundennetz plan compute --scenario "Budget −20 %"      (a name or an id)
    kundennetz plan export --scenario 3 --format csv|json [--output FILE]

Compute solves the scenario with today's capacities, budget and strategies of its period and keeps the
result (all or nothing); when no plan meets every minimum it says which manager or budget conflicts and
exits with an error. The export streams the accounts with today's plan next to the recommendation;
numbers are plain (a point as decimal separator). JSON holds the scenario's totals, its account managers
with their shadow prices and the accounts.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kundennetz.core.formatting import format_number
from kundennetz.domain.numbers import normalize_dashes
from kundennetz.core.numberfields import whole_number_argument
from kundennetz.planning import services
from kundennetz.planning.exports import EXPORT_COLUMNS, export_rows
from kundennetz.planning.models import Scenario
from kundennetz.planning.templatetags.planning_tags import signed_number

TOTALS = ("contribution_today", "contribution", "hours_available", "hours_required", "hours_today",
          "hours_recommended", "contacts_today", "contacts_recommended", "support_budget", "support_today",
          "support_recommended", "pr_budget", "pr_today", "pr_recommended", "support_price", "pr_price",
          "extra_manager_hours", "extra_manager_value")


class _Raw:
    """Lets csv and json write to the command's output without a line ending added to every piece."""

    def __init__(self, out):
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")


def _same_name(text: str) -> str:
    """A scenario name as compared: any dash or minus alike, spaces collapsed, case ignored."""
    return normalize_dashes(text).casefold()


def find_scenario(reference: str) -> Scenario:
    """The scenario named `reference` (any dash, any case, ``#`` before an id allowed) or with that id."""
    reference = (reference or "").strip()
    scenarios = Scenario.objects.select_related("period")
    found = scenarios.filter(name=reference).first()
    if found is None and reference.lstrip("#").isdigit():
        found = scenarios.filter(pk=int(reference.lstrip("#"))).first()
    if found is None and reference:
        wanted = _same_name(reference)
        matches = [pk for pk, name in Scenario.objects.values_list("pk", "name").iterator()
                   if _same_name(name) == wanted]
        if len(matches) > 1:
            raise CommandError(_("Several scenarios are called %(reference)r; give the id: %(ids)s.") % {
                "reference": reference, "ids": ", ".join(str(pk) for pk in sorted(matches))})
        if matches:
            found = scenarios.get(pk=matches[0])
    if found is None:
        names = ", ".join(f"{s.pk}: {s.name}" for s in Scenario.objects.order_by("-created_at")[:10])
        message = _("There is no scenario %(reference)r.") % {"reference": reference}
        raise CommandError(message + " " + (_("Known: %(names)s") % {"names": names} if names else
                                            _("Create one on the planning page or in the API.")))
    return found


class Command(BaseCommand):
    help = "Compute a planning scenario, or export its result per account as CSV or JSON."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{compute,export,planned}")
        planned = sub.add_parser("planned", help=("The planned contacts and hours of accounts (the adopted plan, "
                                                  "else the plan their strategy implies), one JSON line each."))
        planned.add_argument("--account", type=whole_number_argument, action="append", metavar="ID",
                             help="An account id (repeatable; default: every account).")
        planned.add_argument("--date", metavar="YYYY-MM-DD", help="The day whose period counts (default: today).")
        compute = sub.add_parser("compute", help=("Solve a scenario with today's figures of its period and keep "
                                                   "the result."))
        compute.add_argument("--scenario", required=True, help=("The scenario's name or id."))
        export = sub.add_parser("export", help=("Every account of a computed scenario: today's plan, "
                                                 "recommendation, expected contribution."))
        export.add_argument("--scenario", required=True, help=("The scenario's name or id."))
        export.add_argument("--format", choices=("csv", "json"), default="csv")
        export.add_argument("--output", help=("File to write (default: standard output)."))

    def handle(self, *args, action, **options):
        if action == "planned":
            self._planned(options.get("account"), options.get("date"))
            return
        scenario = find_scenario(options["scenario"])
        if action == "compute":
            self._compute(scenario)
        else:
            self._export(scenario, options["format"], options.get("output"))

    def _compute(self, scenario: Scenario) -> None:
        try:
            computed = services.compute_scenario(scenario)
        except services.PlanningError as exc:
            raise CommandError(_("No plan meets every minimum:") + "\n  " + "\n  ".join(exc.messages)) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if computed.pk != scenario.pk:
            self.stdout.write(_("Scenario %(id)s “%(name)s” is the applied plan and stays so; computed as the new "
                                "draft %(new_id)s “%(new_name)s”.") % {"id": scenario.pk, "name": scenario.name,
                                                                      "new_id": computed.pk, "new_name": computed.name})
            scenario = computed
        top_price = max(scenario.manager_results.values_list("hour_price", flat=True), default=0)
        self.stdout.write(self.style.SUCCESS(
            _("Scenario %(id)s “%(name)s” (%(period)s) computed in %(seconds)s s for %(count)s accounts "
              "(%(method)s).") % {"id": scenario.pk, "name": scenario.name, "period": scenario.period.code,
                                 "seconds": format_number(scenario.seconds, 2), "count": format_number(scenario.account_count),
                                 "method": scenario.method_label}))
        self.stdout.write("  " + _("expected contribution: today's plan %(today)s, recommended %(recommended)s "
                                   "(%(gain)s)") % {"today": format_number(scenario.contribution_today),
                                                    "recommended": format_number(scenario.contribution),
                                                    "gain": signed_number(scenario.gain)})
        self.stdout.write("  " + _("shadow prices: sales support %(support)s, PR %(pr)s per franc; hours up to "
                                   "%(hour)s per hour") % {"support": format_number(scenario.support_price, 3),
                                                            "pr": format_number(scenario.pr_price, 3),
                                                            "hour": format_number(top_price)})
        if scenario.extra_manager_value is not None:
            self.stdout.write("  " + _("an additional account manager with %(hours)s h: %(value)s") % {
                "hours": format_number(scenario.extra_manager_hours),
                "value": signed_number(scenario.extra_manager_value)})

    def _export(self, scenario: Scenario, fmt: str, output: str | None) -> None:
        if not scenario.is_computed:
            raise CommandError(_("Scenario %(id)s “%(name)s” has no result yet; run `kundennetz plan compute "
                                 "--scenario %(id)s` first.") % {"id": scenario.pk, "name": scenario.name})
        with contextlib.ExitStack() as stack:
            if output:
                try:
                    target = stack.enter_context(open(output, "w", encoding="utf-8", newline=""))
                except OSError as exc:
                    raise CommandError(_("Cannot write %(file)s: %(reason)s") % {
                        "file": output, "reason": exc.strerror}) from None
            else:
                target = _Raw(self.stdout)
            if fmt == "csv":
                writer = csv.writer(target, lineterminator="\n")
                writer.writerow(EXPORT_COLUMNS)
                for row in export_rows(scenario):
                    writer.writerow(["" if row[c] is None else row[c] for c in EXPORT_COLUMNS])
            else:
                self._json(scenario, target)
        if output:
            self.stderr.write(_("Wrote scenario %(id)s to %(file)s.") % {"id": scenario.pk,
                                                                          "file": os.path.abspath(output)})

    def _json(self, scenario: Scenario, target) -> None:
        head = {"id": scenario.pk, "name": scenario.name, "period": scenario.period.code,
                "status": scenario.status, "parameters": scenario.parameters, "method": scenario.method,
                "computed_at": scenario.computed_at.isoformat(), **{k: getattr(scenario, k) for k in TOTALS}}
        managers = [{"manager": m.manager_id, "name": m.label, "accounts": m.account_count,
                     "available_hours": m.available_hours, "relief_hours": m.relief_hours,
                     "required_hours": m.required_hours, "hours_today": m.hours_today, "hours": m.hours,
                     "hour_price": m.hour_price} for m in scenario.manager_results.order_by("order")]
        # Streamed by hand: the accounts may be many, and json.dump would hold them all at once.
        target.write(json.dumps({"scenario": head, "managers": managers}, ensure_ascii=False)[:-1])
        target.write(', "accounts": [')
        for k, row in enumerate(export_rows(scenario)):
            target.write(("," if k else "") + "\n" + json.dumps(row, ensure_ascii=False))
        target.write("\n]}\n")
        if hasattr(target, "flush"):
            target.flush()
        sys.stdout.flush()

    def _planned(self, account_ids, day_text) -> None:
        from datetime import date

        from kundennetz.accounts.models import Account
        from kundennetz.planning.figures import as_dict, planned_for_accounts

        day = None
        if day_text:
            try:
                day = date.fromisoformat(day_text)
            except ValueError:
                raise CommandError(_("Enter a date as YYYY-MM-DD, not %(value)r.") % {"value": day_text}) from None
        if account_ids:
            known = set(Account.objects.filter(pk__in=account_ids).values_list("pk", flat=True))
            missing = [str(pk) for pk in account_ids if pk not in known]
            if missing:
                raise CommandError(_("No account with the id %(ids)s.") % {"ids": ", ".join(missing)})
        figures = planned_for_accounts(account_ids or None, day)
        names = dict(Account.objects.filter(pk__in=list(figures)).values_list("pk", "name")) if account_ids else \
            dict(Account.objects.values_list("pk", "name"))
        for account_id in sorted(figures):
            self.stdout.write(json.dumps({"account": account_id, "name": names.get(account_id, ""),
                                         **as_dict(figures[account_id])}, ensure_ascii=False))
