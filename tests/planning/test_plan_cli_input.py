"""`kundennetz plan`: scenarios found as people name them, help in one language, quiet in a pipe."""

import io
import os
import sys

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.utils import translation

from kundennetz.__main__ import main
from kundennetz.planning import services
from kundennetz.planning.models import Scenario

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("plan", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.parametrize("typed", ["Budget -20 %", "Budget −20 %", "Budget – 20 %".replace(" 20", "20"),
                                   "budget  —20 %", "  Budget ‐20 %  "])
def test_scenario_found_by_name_with_any_dash(planned, cast, typed):
    scenario = services.create_scenario("Budget −20 %", planned["period"], {"budget_factor": 0.8}, cast.sales_head,
                                        compute=False)
    assert "computed in" in run("compute", "--scenario", typed)
    scenario.refresh_from_db()
    assert scenario.is_computed


def test_scenario_found_by_id_also_with_a_hash(planned, cast):
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head, compute=False)
    assert "computed in" in run("compute", "--scenario", f"#{scenario.pk}")
    assert "computed in" in run("compute", "--scenario", f" {scenario.pk} ")


def test_two_names_alike_ask_for_the_id(planned, cast):
    first = services.create_scenario("Budget -20 %", planned["period"], {}, cast.sales_head, compute=False)
    second = services.create_scenario("Budget –20 %", planned["period"], {}, cast.sales_head, compute=False)
    with pytest.raises(CommandError, match=f"give the id: {first.pk}, {second.pk}"):
        run("compute", "--scenario", "budget —20 %")
    # The exact spelling still picks its own.
    assert "computed in" in run("compute", "--scenario", "Budget –20 %")
    second.refresh_from_db()
    assert second.is_computed and not Scenario.objects.get(pk=first.pk).is_computed


def test_unknown_scenario_refused(planned, cast):
    with pytest.raises(CommandError, match="There is no scenario '#99999'"):
        run("compute", "--scenario", "#99999")


def _help_texts(name: str) -> list[str]:
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("kundennetz", name)
    texts = [parser.format_help()]
    for action in parser._actions:
        choices = getattr(action, "choices", None)
        for sub in (choices.values() if isinstance(choices, dict) else []):
            if hasattr(sub, "format_help"):
                texts.append(sub.format_help())
    return texts


@pytest.mark.parametrize("name", ["plan", "portfolio", "qualify", "import", "reminders", "consistency", "demo",
                                  "logins", "serve"])
def test_help_in_one_language(name):
    """Django's own options are English; a command's help in German too would read half and half."""
    with translation.override("de-ch"):
        german = _help_texts(name)
    with translation.override("en"):
        english = _help_texts(name)
    assert german == english
    assert all("Szenario" not in text and "Datei" not in text for text in german)


def test_export_into_a_closed_pipe_ends_quietly(planned, cast, capfd):
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    read, write = os.pipe()
    os.close(read)   # `| head` has read its lines and gone
    saved = sys.stdout
    sys.stdout = os.fdopen(os.dup(write), "w")
    os.close(write)
    try:
        with pytest.raises(SystemExit) as ended:
            main(["plan", "export", "--scenario", str(scenario.pk), "--format", "csv"])
    finally:
        broken, sys.stdout = sys.stdout, saved
        try:
            broken.close()
        except OSError:
            pass
    assert ended.value.code == 0
    assert "Traceback" not in capfd.readouterr().err
