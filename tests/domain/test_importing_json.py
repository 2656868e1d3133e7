"""Issues are stored as JSON: every parameter must survive json.dumps (a Decimal once did not)."""

import json
from decimal import Decimal

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
