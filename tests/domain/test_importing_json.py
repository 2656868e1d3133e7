"""Issues are stored as JSON: every parameter must survive json.dumps (a Decimal once did not)."""

import json
from decimal import Decimal

from kundennetz.domain.importing import Issue


def test_issue_params_are_json_safe():
    issue = Issue("below_minimum", {"value": "-5", "min": Decimal("0"), "count": 3, "none": None}, row=4)
    data = json.loads(json.dumps(issue.as_dict()))
    assert data["params"] == {"value": "-5", "min": "0", "count": 3, "none": None}
    assert data["row"] == 4
