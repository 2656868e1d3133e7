"""The Maven CRM sales pipeline (../shared/data): a real public data set with its quirks kept.

CRLF line ends, a misspelt sector ("technolgy"), a misspelt country ("Philipines"), 1,425 open deals
without an account, and no reason for the lost deals. An import must report each of these at its row
and column instead of guessing.
"""

import csv
import io

import pytest
from importing_helpers import outcomes, shared

MAVEN = "maven_crm_sales_opportunities"


@pytest.fixture
def agents(db):
    """The sales agents of the data set as account managers (matched by their full names)."""
    from kundennetz.core.roles import Role
    from cast import make_user

    with shared(f"{MAVEN}/sales_teams.csv").open(newline="", encoding="utf-8") as handle:
        names = [row["sales_agent"] for row in csv.DictReader(handle)]
    for index, name in enumerate(names):
        first, last = name.split(" ", 1)
        make_user(f"agent{index}", Role.ACCOUNT_MANAGER, first_name=first, last_name=last)
    return names


def _accounts(cast, run_import, commit, country=True):
    content = shared(f"{MAVEN}/accounts.csv").read_bytes()
    assert b"\r\n" in content
    mapping = {"columns": {"office_location": "country" if country else None}, "defaults": {"owner": "owner"}}
    return run_import(cast.admin, "accounts", content, name="accounts.csv", mapping=mapping, commit=commit)


def test_maven_accounts_report_the_misspelt_country(cast, run_import):
    batch, _result = _accounts(cast, run_import, commit=True)
    assert batch.mapping["columns"]["account"] == "name" and batch.mapping["columns"]["sector"] == "industry"
    assert batch.mapping["columns"]["revenue"] == "turnover"  # the customer's own turnover, not our sales
    rows = outcomes(batch)
    assert batch.status == "dry_run" and batch.rows_total == 85
    errors = {row: codes for row, (action, codes) in rows.items() if action == "error"}
    assert list(errors.values()) == [["bad_country"]]
    bad = batch.rows.get(action="error")
    assert bad.issues[0]["column"] == "office_location" and bad.issues[0]["params"]["value"] == "Philipines"
    assert batch.created_count == 84


def test_maven_accounts_and_pipeline(cast, run_import, agents):
    from kundennetz.accounts.models import Account, Opportunity

    accounts, _result = _accounts(cast, run_import, commit=True, country=False)
    assert accounts.status == "committed" and accounts.created_count == 85
    assert Account.objects.filter(industry="technolgy").count() == 12  # kept as the file says

    content = shared(f"{MAVEN}/sales_pipeline.csv").read_bytes()
    mapping = {"date_order": "mdy", "defaults": {"closing_reason": "Price too high"}}
    batch, _result = run_import(cast.admin, "opportunities", content, name="sales_pipeline.csv", mapping=mapping,
                               commit=True)
    columns = batch.mapping["columns"]
    assert (columns["opportunity_id"], columns["sales_agent"], columns["account"], columns["deal_stage"]) == (
        "external_id", "owner", "account", "stage")
    assert batch.status == "dry_run" and batch.rows_total == 8800
    errors = batch.rows.filter(action="error")
    assert errors.count() == 1425  # the open deals without an account
    assert {issue["code"] for row in errors for issue in row.issues} == {"required"}
    assert {issue["column"] for row in errors for issue in row.issues} == {"account"}
    assert Opportunity.objects.count() == 0  # all or nothing

    # Without those rows the pipeline imports, lost deals with the reason set for all rows.
    text = content.decode()
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    kept = io.StringIO()
    writer = csv.writer(kept, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(row for row in reader if row[3])
    batch, _result = run_import(cast.admin, "opportunities", kept.getvalue().encode(), name="with_accounts.csv",
                               mapping=mapping, commit=True)
    assert batch.status == "committed", outcomes(batch)
    assert batch.created_count == 7375
    assert Opportunity.objects.filter(stage__type="lost").count() == 2473
    assert Opportunity.objects.filter(stage__type="won", closing_reason__isnull=True).count() == 4238
    deal = Opportunity.objects.get(title="GTX Plus Basic", account__name="Cancity", expected_volume=1054)
    assert deal.owner.get_full_name() == "Moses Frase" and str(deal.expected_decision_date) == "2017-03-01"


def test_maven_pipeline_imports_as_it_is_leaving_out_the_rows_without_account(cast, run_import, agents):
    """The file unedited: an unknown layout (not "HubSpot"), and the 1,425 deals without an account
    left out by choice, listed in the rejected rows."""
    from kundennetz.accounts.models import Opportunity

    accounts, _result = _accounts(cast, run_import, commit=True, country=False)
    assert accounts.layout == ""  # unknown layout
    content = shared(f"{MAVEN}/sales_pipeline.csv").read_bytes()
    mapping = {"date_order": "mdy", "defaults": {"closing_reason": "Price too high"}}
    batch, _result = run_import(cast.admin, "opportunities", content, name="sales_pipeline.csv", mapping=mapping,
                               commit=True, skip_errors=True)
    assert batch.layout == ""
    assert batch.status == "committed" and batch.created_count == 7375 and batch.error_count == 1425
    assert Opportunity.objects.count() == 7375
