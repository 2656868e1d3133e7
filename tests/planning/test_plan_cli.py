"""`kundennetz plan compute|export`."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from kundennetz.planning import services
from kundennetz.planning.models import Scenario

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("plan", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_compute_by_name_and_by_id(planned, cast):
    scenario = services.create_scenario("Budget −20 %", planned["period"], {"budget_factor": 0.8}, cast.sales_head,
                                        compute=False)
    text = run("compute", "--scenario", "Budget −20 %")
    scenario.refresh_from_db()
    assert scenario.is_computed and "computed in" in text and "6 accounts" in text
    assert "shadow prices" in text and "additional account manager" in text
    assert "computed in" in run("compute", "--scenario", str(scenario.pk))


def test_compute_names_the_conflict(planned, cast):
    planned["capacities"]["owner"].delete()
    services.create_scenario("Ohne", planned["period"], {}, cast.sales_head, compute=False)
    with pytest.raises(CommandError, match="Owner Test: the minimum hours of their accounts total 60.3 h"):
        run("compute", "--scenario", "Ohne")


def test_unknown_scenario(planned, cast):
    services.create_scenario("Basis", planned["period"], {}, cast.sales_head, compute=False)
    with pytest.raises(CommandError, match="There is no scenario 'Nichts'. Known: .*Basis"):
        run("compute", "--scenario", "Nichts")


def test_export_csv(planned, cast):
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    rows = list(csv.DictReader(io.StringIO(run("export", "--scenario", "Basis", "--format", "csv"))))
    assert len(rows) == 6 and [r["account"] for r in rows][:2] == ["Alpha AG", "Beta GmbH"]
    alpha = rows[0]
    stored = scenario.account_results.get(account=planned["accounts"]["alpha"])
    assert float(alpha["hours"]) == pytest.approx(stored.hours, abs=1e-3)
    assert float(alpha["difference"]) == pytest.approx(stored.contribution - stored.contribution_today, abs=1e-3)
    assert alpha["segment"] == "key_accounts" and alpha["manager"] == "Owner Test"


def test_export_json_to_a_file(planned, cast, tmp_path):
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    target = tmp_path / "plan.json"
    run("export", "--scenario", str(scenario.pk), "--format", "json", "--output", str(target))
    data = json.loads(target.read_text("utf-8"))
    assert data["scenario"]["name"] == "Basis" and data["scenario"]["contribution"] == pytest.approx(
        scenario.contribution)
    assert {m["name"] for m in data["managers"]} == {"Owner Test", "Outsider Test"}
    assert len(data["accounts"]) == 6 and data["accounts"][0]["account"] == "Alpha AG"


def test_export_needs_a_result(planned, cast):
    services.create_scenario("Entwurf", planned["period"], {}, cast.sales_head, compute=False)
    with pytest.raises(CommandError, match="has no result yet"):
        run("export", "--scenario", "Entwurf")
    assert not Scenario.objects.get().is_computed


def test_export_to_an_unwritable_place(planned, cast, tmp_path):
    services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    with pytest.raises(CommandError, match="Cannot write"):
        run("export", "--scenario", "Basis", "--output", str(tmp_path / "missing" / "plan.csv"))
