"""`kundennetz winloss fit|predict|thresholds`: the exact output contract."""

import io
import json

import pytest
from django.core.management import call_command


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("winloss", *argv, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_fit_json_is_one_line_with_the_cross_validated_scores(history):
    from kundennetz.winloss.models import WinModel

    code, out, err = _run("fit", "--json")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert list(data) == ["deals", "won", "auc", "brier", "base_rate_brier", "model_version"]
    record = WinModel.latest()
    assert data == {"deals": 60, "won": record.won, "auc": record.auc, "brier": record.brier,
                    "base_rate_brier": record.base_rate_brier, "model_version": 1}
    assert isinstance(data["auc"], float) and 0 <= data["auc"] <= 1


def test_fit_readable(history):
    code, out, _err = _run("fit")
    assert code == 0 and "5" in out and "AUC" in out


def test_fit_refuses_below_thirty_deals(make_history):
    make_history(20)
    code, out, err = _run("fit", "--json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "30" in err and "20" in err


def test_predict_without_a_model_is_one_line_on_stderr(tmp_path, db):
    path = tmp_path / "a.json"
    path.write_text('{"answers": {"competition": "yes"}}')
    code, out, err = _run("predict", "--json", str(path))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_predict_one_line_per_file_in_order(history, tmp_path):
    from kundennetz.winloss.models import WinModel

    _run("fit")
    strong = tmp_path / "strong.json"
    strong.write_text(json.dumps({"answers": {k: "yes" for k in (
        "aspiration", "solution", "only_me", "time_scale", "money", "authority", "need")} | {"competition": "no"},
        "threshold": 3}))
    weak = tmp_path / "weak.json"
    weak.write_text(json.dumps({"answers": {"solution": "nein", "competition": "ja", "money": "offen"},
                                "details": {"competition.competitor_asked": "yes"}}))
    bad = tmp_path / "bad.json"
    bad.write_text('{"answers": {"competition": "maybe"}}')
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    code, out, err = _run("predict", "--json", str(strong), str(bad), str(weak), str(broken))
    assert code == 2
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["file"] for line in lines] == [str(strong), str(weak)]
    for line in lines:
        assert list(line) == ["file", "win_probability", "contributions", "model_version"]
        assert 0 <= line["win_probability"] <= 1 and line["model_version"] == WinModel.latest().version
        assert set(line["contributions"]) == {"aspiration", "solution", "competition", "only_me", "time_scale",
                                               "money", "authority", "need"}
    assert lines[0]["win_probability"] > lines[1]["win_probability"]
    assert lines[1]["contributions"]["solution"] < 0
    errors = err.strip().splitlines()
    assert len(errors) == 2 and errors[0].startswith(str(bad)) and errors[1].startswith(str(broken))
    assert "maybe" in errors[0]


def test_predict_takes_a_line_of_qualify_json(history, tmp_path):
    _run("fit")
    source = tmp_path / "c.json"
    source.write_text('{"answers": {"solution": "no", "competition": "yes"}}')
    out = io.StringIO()
    call_command("qualify", str(source), as_json=True, stdout=out)
    evaluated = tmp_path / "evaluated.json"
    evaluated.write_text(out.getvalue())
    _code, direct, _ = _run("predict", "--json", str(source))
    code, via, err = _run("predict", "--json", str(evaluated))
    assert code == 0, err
    assert json.loads(via)["win_probability"] == json.loads(direct)["win_probability"]


def test_predict_readable(history, tmp_path):
    _run("fit")
    path = tmp_path / "a.json"
    path.write_text('{"answers": {"competition": "yes"}}')
    code, out, _err = _run("predict", str(path))
    assert code == 0 and out.startswith(f"{path}: ") and "%" in out and "competition" in out


def test_thresholds(history):
    code, out, err = _run("thresholds", "--json")
    assert code == 0 and err == ""
    assert len(out.splitlines()) == 1
    data = json.loads(out)
    assert data["threshold_in_force"] == 3 and data["deals"] == 60
    assert [row["threshold"] for row in data["thresholds"]] == list(range(9))
    assert set(data["thresholds"][0]) == {"threshold", "offers", "wins_kept", "wins_forgone", "losses_avoided",
                                          "expected_contribution"}
    code, out, _ = _run("thresholds")
    assert code == 0 and len(out.splitlines()) == 12


@pytest.mark.parametrize("argv", [[], ["nonsense"], ["predict", "--json"]])
def test_usage_errors(argv, db):
    from django.core.management import CommandError

    with pytest.raises((CommandError, SystemExit)):
        call_command("winloss", *argv, stdout=io.StringIO(), stderr=io.StringIO())
