"""`kundennetz portfolio recompute|export`."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from kundennetz.portfolio.models import PortfolioSnapshot

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("portfolio", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_recompute_takes_a_snapshot(network):
    text = run("recompute", "--period", "2026-Q4", "--as-of", "2026-11-30")
    snapshot = PortfolioSnapshot.objects.get()
    assert (snapshot.period, str(snapshot.as_of), snapshot.account_count) == ("2026-Q4", "2026-11-30", 2)
    assert "2026-Q4" in text and "2 accounts" in text


def test_recompute_refuses_a_bad_period(network):
    with pytest.raises(CommandError, match="2026-Q4"):
        run("recompute", "--period", "26Q4")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("recompute", "--as-of", "30.11.2026")
    assert not PortfolioSnapshot.objects.exists()


def test_export_csv(network, cast):
    from kundennetz.portfolio.services import set_override

    set_override(network.other_account, cast.sales_head, "selective_withdrawal", "Not strategic")
    run("recompute", "--period", "2026-Q4")
    rows = list(csv.DictReader(io.StringIO(run("export", "--format", "csv"))))
    assert [r["account"] for r in rows] == ["Muster Engineering AG", "Fremd Consulting GmbH"]
    first, second = rows
    assert first["rank"] == "1" and first["cell"] == "question_mark" and first["strategy"] == "big_step_or_out"
    assert first["abc_revenue"] == "A" and first["segment"] == "mid_market" and first["owner"] == "owner"
    assert float(first["attractiveness"]) == 75.0 and first["overridden"] == "false"
    # Missing stays empty, never 0; the override is the strategy in force.
    assert second["attractiveness"] == "" and second["rank"] == "" and second["cell"] == ""
    assert second["strategy"] == "selective_withdrawal" and second["overridden"] == "true"


def test_export_json_to_a_file(network, tmp_path):
    run("recompute", "--period", "2026-Q3")
    target = tmp_path / "portfolio.json"
    run("export", "--format", "json", "--output", str(target))
    data = json.loads(target.read_text("utf-8"))
    assert [d["account"] for d in data] == ["Muster Engineering AG", "Fremd Consulting GmbH"]
    assert data[1]["attractiveness"] is None and data[0]["period"] == "2026-Q3"
    assert set(data[0]) == {"account_id", "account", "segment", "owner", "attractiveness", "position",
                            "attractiveness_coverage", "position_coverage", "rank", "cell", "strategy",
                            "overridden", "abc_revenue", "abc_margin", "period"}


def test_export_without_snapshot_says_what_to_do(network):
    with pytest.raises(CommandError, match="recompute"):
        run("export")
    run("recompute", "--period", "2026")
    assert len(json.loads(run("export", "--format", "json"))) == 2
    with pytest.raises(CommandError, match="2025"):
        run("export", "--period", "2025")


def test_export_of_an_empty_snapshot_is_valid(db):
    run("recompute", "--period", "2026-Q4")
    assert json.loads(run("export", "--format", "json")) == []
    assert run("export").strip().split(",")[0] == "account_id"
