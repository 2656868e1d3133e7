"""`kundennetz winloss fit|predict|thresholds`: learn from won and lost deals on the command line.

    kundennetz winloss fit [--json]                 fit on every closed deal, store a new model version
    kundennetz winloss predict --json FILE [FILE …]  win probability of checklist files (`kundennetz qualify`'s format)
    kundennetz winloss thresholds [--json]          what each threshold 0–8 would have decided on the history

Problems (too little history, no fitted model, a bad file) give one line on stderr and exit status 2.
"""

import json
import sys

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from kundennetz.qualification.cli import (
    InputError,
    default_catalogue,
    default_language,
    one_line,
    parse_json,
    read_input,
    translate,
)

from ... import services
from ...files import headline_answers

EXIT_PROBLEM = 2


def _percent(value: float) -> str:
    return f"{value * 100:.0f} %"


class Command(BaseCommand):
    help = "Learn from won and lost deals: fit the win model, predict checklists, advise on the threshold."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="fit|predict|thresholds")
        fit = commands.add_parser("fit", help="Fit the win model on the closed deals and store it as a new version.")
        fit.add_argument("--json", action="store_true", dest="as_json", help="One line of JSON.")
        predict = commands.add_parser("predict", help="Win probability of checklist files (the format of "
                                                      "`kundennetz qualify`; '-' reads standard input).")
        predict.add_argument("files", nargs="+", metavar="FILE")
        predict.add_argument("--json", action="store_true", dest="as_json", help="One line of JSON per file.")
        thresholds = commands.add_parser("thresholds", help="What each threshold 0–8 would have decided.")
        thresholds.add_argument("--json", action="store_true", dest="as_json", help="One line of JSON.")

    def handle(self, *args, action, as_json, **options):
        translation.activate("de-ch" if default_language() == "de" else "en")
        status = getattr(self, f"_{action}")(as_json, **options)
        if status:
            sys.stdout.flush()
            sys.exit(status)

    def _problem(self, message: str) -> int:
        self.stderr.write(one_line(message))
        return EXIT_PROBLEM

    # -- fit ----------------------------------------------------------------------------------------

    def _fit(self, as_json, **options) -> int:
        try:
            record = services.fit_and_store_win_model()
        except services.Refused as refusal:
            return self._problem(str(refusal))
        summary = services.fit_summary(record)
        if as_json:
            self.stdout.write(json.dumps(summary))
            return 0
        self.stdout.write(_("Win model version %(version)s fitted on %(deals)s closed deals (%(won)s won).") % {
            "version": record.version, "deals": record.deals, "won": record.won})
        self.stdout.write(_("Cross-validated (5 folds): AUC %(auc).3f, Brier score %(brier).3f (base rate: "
                            "%(base).3f); the plain count of unfavourable answers: AUC %(count).3f.") % {
            "auc": record.auc, "brier": record.brier, "base": record.base_rate_brier,
            "count": record.unfavourable_count_auc})
        self.stdout.write(_("Reliability (predicted → observed):"))
        for row in record.reliability:
            if row["count"]:
                self.stdout.write(f"  {row['lower']:.1f}–{row['upper']:.1f}: {row['count']:>6}  "
                                  f"{_percent(row['predicted'])} → {_percent(row['observed'])}")
        return 0

    # -- predict ------------------------------------------------------------------------------------

    def _predict(self, as_json, files, **options) -> int:
        try:
            record = services.latest_model_or_refuse()
        except services.Refused as refusal:
            return self._problem(str(refusal))
        catalogue = default_catalogue()
        language = "de" if (translation.get_language() or "").startswith("de") else "en"
        stdin = options.get("stdin") or sys.stdin
        status = 0
        for path in files:
            try:
                answers = headline_answers(parse_json(read_input(path, stdin)), catalogue)
            except InputError as error:
                self.stderr.write(one_line(f"{path}: {translate(error.message, language, **error.params)}"))
                status = EXIT_PROBLEM
                continue
            result = services.predict_answers(record, answers)
            if as_json:
                self.stdout.write(json.dumps({"file": path, **result}))
            else:
                self.stdout.write(f"{path}: {_percent(result['win_probability'])}")
                for key, value in sorted(result["contributions"].items(), key=lambda item: -abs(item[1])):
                    self.stdout.write(f"  {key:<12} {value * 100:+.0f}")
        return status

    # -- thresholds ---------------------------------------------------------------------------------

    def _thresholds(self, as_json, **options) -> int:
        advice = services.threshold_advice()
        if as_json:
            self.stdout.write(json.dumps(advice.to_dict()))
            return 0
        self.stdout.write(_("On %(deals)s closed deals (%(won)s won); threshold in force: %(in_force)s, would "
                            "have paid best: %(best)s.") % {
            "deals": advice.deals, "won": advice.won, "in_force": advice.in_force,
            "best": "–" if advice.best is None else advice.best})
        self.stdout.write(f"  {'t':>2}  {_('offers'):>8}  {_('wins kept'):>10}  {_('losses avoided'):>15}  "
                          f"{_('contribution'):>14}")
        for row in advice.rows:
            marks = ("*" if row.threshold == advice.in_force else " ") + ("!" if row.threshold == advice.best else " ")
            self.stdout.write(f"{marks}{row.threshold:>2}  {row.offers:>8}  {row.wins_kept:>10}  "
                              f"{row.losses_avoided:>15}  {row.expected_contribution:>14,.0f}".replace(",", "'"))
        self.stdout.write(_("* in force, ! would have paid best"))
        return 0
