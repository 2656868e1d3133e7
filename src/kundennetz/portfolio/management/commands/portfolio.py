"""`kundennetz portfolio recompute|export`: score the whole network, or export the current snapshot.

    kundennetz portfolio recompute [--period 2026-Q4] [--as-of 2026-11-30]
    kundennetz portfolio export --format csv|json [--output FILE] [--period 2026-Q4]

The export streams: rows are read in chunks and written as they come, so a million accounts need no
more memory than a thousand. Numbers are plain (a point as decimal separator), missing scores empty
(CSV) or null (JSON), never 0.
"""

from __future__ import annotations

import csv
import json
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import F
from django.utils.translation import gettext as _

from kundennetz.core.formatting import format_number
from kundennetz.core.permissions import of_live_accounts
from kundennetz.portfolio import services
from kundennetz.portfolio.models import AccountPosition, PortfolioSnapshot

EXPORT_COLUMNS = ("account_id", "account", "segment", "owner", "attractiveness", "position",
                  "attractiveness_coverage", "position_coverage", "rank", "cell", "strategy", "overridden",
                  "abc_revenue", "abc_margin", "period")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class _Raw:
    """Lets csv and json write to the command's output without a line ending added to every piece."""

    def __init__(self, out):
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")


def export_rows(snapshot: PortfolioSnapshot, chunk_size: int = 10_000):
    """Every account of the snapshot (not in the trash) as a dict in ``EXPORT_COLUMNS`` order, by rank."""
    from kundennetz.portfolio.strategy import rules_for

    rules_ = rules_for(snapshot.model)
    rows = (of_live_accounts(AccountPosition.objects.filter(snapshot=snapshot))
            .order_by(F("order").asc(nulls_last=True), "account_id")
            .values_list("account_id", "account__name", "account__segment__code", "account__owner__username",
                         "attractiveness", "position", "attractiveness_coverage", "position_coverage", "rank",
                         "cell", "abc_revenue", "abc_margin", "account__portfolio_override__strategy"))
    for (account_id, name, segment, owner, att, pos, att_cov, pos_cov, rank, cell, abc_rev, abc_margin,
         override) in rows.iterator(chunk_size=chunk_size):
        yield {
            "account_id": account_id, "account": name, "segment": segment or "", "owner": owner,
            "attractiveness": att, "position": pos, "attractiveness_coverage": att_cov,
            "position_coverage": pos_cov, "rank": rank, "cell": cell or None,
            "strategy": (today := rules_.today(override, cell)).key, "overridden": today.overridden,
            "abc_revenue": abc_rev, "abc_margin": abc_margin, "period": snapshot.period,
        }


class Command(BaseCommand):
    help = "Recompute the customer portfolio (a snapshot per period) or export the current snapshot."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{recompute,export}")
        recompute = sub.add_parser("recompute", help=("Score every account and keep the result as the snapshot "
                                                        "of a period (an existing one of that period is replaced)."))
        recompute.add_argument("--period", help=("2026-Q4 or 2026 (default: the current quarter)."))
        recompute.add_argument("--as-of", dest="as_of", help=("Day the figures are taken as of, YYYY-MM-DD "
                                                               "(default: today)."))
        export = sub.add_parser("export", help=("Every account of the current snapshot with axis scores, rank, "
                                                 "cell, strategy and ABC class."))
        export.add_argument("--format", choices=("csv", "json"), default="csv", dest="fmt")
        export.add_argument("--output", "-o", help=("File to write (default: standard output)."))
        export.add_argument("--period", help=("Export this period's snapshot instead of the current one."))

    def handle(self, *args, action, **options):
        if action == "recompute":
            self._recompute(options)
        else:
            self._export(options)

    def _recompute(self, options):
        from datetime import date

        as_of = None
        if options.get("as_of"):
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(_("--as-of: enter a date as YYYY-MM-DD.")) from None
        try:
            snapshot = services.recompute(period=options.get("period"), as_of=as_of)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(_("Snapshot %(period)s: %(count)s accounts scored, %(placed)s placed, in %(seconds)s s.") % {
            "period": snapshot.period, "count": format_number(snapshot.account_count),
            "placed": format_number(snapshot.placed_count), "seconds": format_number(snapshot.seconds, 1)})

    def _export(self, options):
        period = options.get("period")
        snapshot = (PortfolioSnapshot.objects.select_related("scoring_model").filter(period=period.strip()).first()
                    if period else PortfolioSnapshot.current())
        if snapshot is None:
            if period:
                raise CommandError(_("There is no snapshot of %(period)s.") % {"period": period})
            raise CommandError(_("There is no portfolio snapshot yet: run `kundennetz portfolio recompute` first."))
        path = options.get("output")
        try:
            stream = open(path, "w", encoding="utf-8", newline="") if path else None
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}) from None
        out = stream or _Raw(self.stdout)
        try:
            count = self._write(out, options["fmt"], snapshot)
        except BrokenPipeError:
            # The reader stopped early (`… | head`): that ends the export, it is not an error of it.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        finally:
            if stream:
                stream.close()
        if path:
            self.stderr.write(_("%(count)s accounts written to %(path)s.") % {"count": count, "path": path})

    @staticmethod
    def _write(out, fmt: str, snapshot) -> int:
        count = 0
        if fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(EXPORT_COLUMNS)
            for row in export_rows(snapshot):
                writer.writerow([_cell(row[c]) for c in EXPORT_COLUMNS])
                count += 1
            return count
        out.write("[")
        for row in export_rows(snapshot):
            out.write(("\n" if count == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
            count += 1
        out.write("\n]\n")
        return count
