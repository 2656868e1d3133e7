"""Issues are stored as JSON: every parameter must survive json.dumps (a Decimal once did not)."""

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kundennetz.domain.importing import Issue


def test_issue_params_are_json_safe():
    issue = Issue("below_minimum", {"value": "-5", "min": Decimal("0"), "count": 3, "none": None}, row=4)
    data = json.loads(json.dumps(issue.as_dict()))
    assert data["params"] == {"value": "-5", "min": "0", "count": 3, "none": None}
    assert data["row"] == 4


def test_layout_named_only_when_most_columns_are_its_own():
    from kundennetz.domain.importing import auto_map

    hubspot = {"id": "hubspot", "name": "HubSpot", "kinds": {"opportunities": {"columns": {
        "Deal Name": "title", "Deal Stage": "stage", "Close Date": "expected_decision_date", "Amount": "expected_volume"}}}}
    maven = ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date",
             "close_value"]
    guess = auto_map(maven, "opportunities", [hubspot], {}, ["title", "stage", "expected_decision_date"])
    assert guess.layout is None  # unknown layout, not "HubSpot"
    assert guess.columns["deal_stage"] == "stage"  # its known columns still help the mapping
    own = auto_map(["Deal Name", "Deal Stage", "Close Date", "Notes"], "opportunities", [hubspot], {},
                   ["title", "stage", "expected_decision_date"])
    assert own.layout == "hubspot"


def _records(data: bytes):
    import io

    from kundennetz.domain.importing import CsvTable

    table = CsvTable(io.BytesIO(data))
    return table, list(table)


def test_mixed_encodings_reported_with_the_line():
    latin = "Name;Ort\r\nZürich AG;Bern\r\n".encode("cp1252")
    utf8 = "Äpfel AG;Thun\r\nPlain AG;Chur\r\n".encode("utf-8")
    table, records = _records(latin + utf8)
    assert table.encoding == "cp1252"
    assert records[0].problem is None and records[0].cells[0] == "Zürich AG"
    assert records[1].problem.code == "mixed_encoding" and records[1].problem.params["line"] == 3
    assert records[2].problem is None


def test_unclosed_quote_reported_with_the_lines_instead_of_swallowing_the_file():
    data = 'Name;Ort;Notiz\r\nA AG;Bern;"offen\r\nB AG;Thun;x\r\nC AG;Chur;y\r\n'.encode()
    _table, records = _records(data)
    assert len(records) == 1  # one record, but marked: the rest of the file is in its last cell
    problem = records[-1].problem
    assert problem.code == "unclosed_quote" and problem.params == {"line": 2, "end": 4}


def test_a_note_with_line_breaks_is_no_unclosed_quote():
    data = 'Name;Ort;Notiz\r\nA AG;Bern;"erste Zeile\r\nzweite Zeile"\r\nB AG;Thun;x\r\n'.encode()
    _table, records = _records(data)
    assert [r.problem for r in records] == [None, None]
    assert records[0].cells[2] == "erste Zeile\r\nzweite Zeile"


def test_decimal_evidence_per_cell():
    from kundennetz.domain.importing import decimal_evidence

    assert [decimal_evidence(v) for v in ("1.5", "1.250", "12.345", "1'250.50", "1.250,50", "1.250.000", "1,5",
                                          "1,250", "1250", "0.250", 3.5, "CHF 1.250.–")] == [
        ".", "?", "?", ".", ",", ",", ",", "?", None, ".", None, "?"]


def test_a_column_is_judged_as_a_whole_or_asked_about():
    from collections import Counter

    from kundennetz.domain.importing import decimal_evidence, judge_decimal

    def judge(*values):
        return judge_decimal(Counter(filter(None, (decimal_evidence(v) for v in values))))

    assert judge("1.5", "1.250", "12.345") == "."  # 1.5 decides: a point is the decimal separator
    assert judge("1,5", "1.250") == ","
    assert judge("1.250", "2.500") == "ask"  # nothing tells: asked, never guessed per cell
    assert judge("1.5", "1,5", "1.250") == "ask"  # conflicting
    assert judge("1.5", "2.75") is None  # nothing ambiguous: no question


@settings(deadline=None)  # a loaded machine must not fail a rule
@given(st.lists(st.sampled_from(["1.5", "1.250", "12.345", "1,5", "2'500.00", "17"]), min_size=1, max_size=8))
def test_judging_never_contradicts_an_unambiguous_cell(values):
    from collections import Counter

    from kundennetz.domain.importing import decimal_evidence, judge_decimal

    evidence = Counter(filter(None, (decimal_evidence(v) for v in values)))
    verdict = judge_decimal(evidence)
    if verdict in (".", ","):
        other = "," if verdict == "." else "."
        assert not evidence.get(other) and evidence.get("?")
    if verdict is None:
        assert not evidence.get("?")
