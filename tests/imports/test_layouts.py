"""Each peer CRM's export layout, from a small realistic sample file: recognised, mapped, imported."""

from datetime import date
from decimal import Decimal

import pytest
from importing_helpers import outcomes, sample, shared


def _import(run_import, user, kind, name, mapping=None):
    batch, _result = run_import(user, kind, sample(name), name=name, mapping=mapping, commit=True)
    assert batch.file_problem is None, batch.file_problem
    assert batch.status == "committed", outcomes(batch)
    return batch


@pytest.fixture
def salesforce_accounts(cast, run_import):
    return _import(run_import, cast.admin, "accounts", "salesforce_accounts.csv")


def test_salesforce_accounts_report_export(salesforce_accounts):
    from kundennetz.accounts.models import Account

    batch = salesforce_accounts
    assert batch.layout == "salesforce"
    assert batch.encoding == "utf-8-sig" and batch.delimiter == ","
    assert batch.created_count == 4
    alpen = Account.objects.get(external_id="0015g00000XyZ1aAAF")
    assert (alpen.name, alpen.city, alpen.postal_code, alpen.country) == ("Alpenblick Engineering AG", "Zürich", "8001", "CH")
    assert alpen.status == "customer" and alpen.website == "https://www.alpenblick.ch"
    assert alpen.turnover == Decimal("2500000.00") and alpen.owner.username == "owner"
    leman = Account.objects.get(external_id="0015g00000XyZ3cAAF")
    assert leman.owner.username == "outsider" and leman.turnover == Decimal("1250000.50")
    assert Account.objects.get(external_id="0015g00000XyZ4dAAF").country == "DE"


def test_salesforce_contacts_link_by_account_id(cast, run_import, salesforce_accounts):
    from kundennetz.accounts.models import Contact

    batch = _import(run_import, cast.admin, "contacts", "salesforce_contacts.csv")
    assert batch.layout == "salesforce" and batch.mapping["key"] == "external_id"
    anna = Contact.objects.get(last_name="Meier")
    assert anna.account.external_id == "0015g00000XyZ1aAAF"
    assert anna.email == "anna.meier@alpenblick.ch" and anna.phone == "+41441234567"
    assert Contact.objects.get(last_name="Keller").phone == "+41795551234"  # mobile when phone is empty
    assert Contact.objects.get(last_name="Schmid").phone == "+497531123456"
    # The same file again updates nothing: every row finds its contact by its Salesforce Id.
    again, _result = run_import(cast.admin, "contacts", sample("salesforce_contacts.csv"), commit=True)
    assert (again.created_count, again.unchanged_count) == (0, 4)


def test_salesforce_opportunity_export(cast, run_import, salesforce_accounts):
    from kundennetz.accounts.models import Opportunity

    first, _ = run_import(cast.admin, "opportunities", sample("salesforce_opportunities.csv"))
    assert first.layout == "salesforce"
    # Salesforce user ids mean nothing here: every row says so until the column is left out.
    assert {codes[1][0] for codes in outcomes(first).values()} == {"unknown_owner"}
    mapping = dict(first.mapping, columns={**first.mapping["columns"], "OwnerId": None})
    batch = _import(run_import, cast.admin, "opportunities", "salesforce_opportunities.csv", mapping=mapping)
    assert batch.created_count == 4
    erp = Opportunity.objects.get(title="ERP-Einführung Werk Winterthur")
    assert erp.stage.code == "lead" and erp.expected_volume == Decimal(350000)
    assert erp.expected_decision_date == date(2026, 9, 30)
    assert erp.owner.username == "owner"  # no owner in the file: the account's owner
    assert Opportunity.objects.get(title="Datenplattform").stage.code == "offer_preparation"
    assert Opportunity.objects.get(title="Wartungsvertrag 2026").stage.type == "won"
    lost = Opportunity.objects.get(title="Leitsystem Halle 3")
    assert lost.stage.type == "lost" and lost.closing_reason.name_en == "Price too high"


def test_real_salesforce_opportunity_header_is_recognised(db):
    from kundennetz.imports.engine import suggest

    headers = shared("salesforce_opportunity_export_header.csv").read_text().strip().replace('"', "").split(",")
    assert len(headers) == 55
    mapping = suggest(headers, "opportunities")
    assert mapping.layout == "salesforce"
    expected = {"Id": "external_id", "AccountId": "account_external_id", "Name": "title", "StageName": "stage",
                "Amount": "expected_volume", "CloseDate": "expected_decision_date", "OwnerId": "owner",
                "Description": "need", "Loss_Reason__c": "closing_reason"}
    assert {h: mapping.columns[h] for h in expected} == expected
    assert mapping.columns["LossReason__c"] is None  # a field takes its first column only
    assert mapping.columns["IsDeleted"] is None and mapping.key == "external_id"


def test_hubspot_companies_contacts_deals(cast, run_import):
    from kundennetz.accounts.models import Account, Contact, Opportunity

    companies = _import(run_import, cast.admin, "accounts", "hubspot_companies.csv")
    assert companies.layout == "hubspot" and companies.created_count == 3
    gotthard = Account.objects.get(name="Gotthard Logistik AG")
    assert gotthard.status == "customer" and gotthard.turnover == Decimal(12000000)
    assert Account.objects.get(name="Jura Präzision SA").status == "prospect"
    assert Account.objects.get(name="Aare Energie AG").owner.username == "team_member"
    contacts = _import(run_import, cast.admin, "contacts", "hubspot_contacts.csv")
    assert contacts.layout == "hubspot" and contacts.created_count == 3
    sandra = Contact.objects.get(last_name="Zgraggen")
    assert sandra.email == "sandra.zgraggen@gotthard-logistik.ch" and sandra.account == gotthard
    assert sandra.phone == "+41418701234"
    deals = _import(run_import, cast.admin, "opportunities", "hubspot_deals.csv")
    assert deals.layout == "hubspot" and deals.created_count == 4
    assert Opportunity.objects.get(title="Flottenmanagement").stage.code == "lead"
    assert Opportunity.objects.get(title="Messsystem Linie 4").stage.code == "qualifying"
    assert Opportunity.objects.get(title="Netzleitstelle").stage.type == "lost"
    assert Opportunity.objects.get(title="Support-Vertrag").stage.type == "won"


def test_pipedrive_organisations_persons_deals(cast, run_import):
    from kundennetz.accounts.models import Account, Contact, Opportunity

    organisations = _import(run_import, cast.admin, "accounts", "pipedrive_organizations.csv")
    assert (organisations.layout, organisations.encoding, organisations.delimiter) == ("pipedrive", "cp1252", ";")
    treuhand = Account.objects.get(external_id="101")
    assert treuhand.name == "Zürcher Treuhand AG" and treuhand.street == "Löwenstrasse 20"
    assert treuhand.turnover == Decimal("1250000.50")
    assert Account.objects.get(external_id="102").turnover == Decimal(750000)
    munich = Account.objects.get(external_id="103")
    assert (munich.name, munich.country, munich.turnover) == ("Müller & Söhne KG", "DE", Decimal("1250000.00"))
    persons = _import(run_import, cast.admin, "contacts", "pipedrive_persons.csv")
    assert (persons.layout, persons.delimiter) == ("pipedrive", "\t")
    huber = Contact.objects.get(last_name="Huber")
    assert (huber.first_name, huber.account, huber.phone) == ("Franz Xaver", munich, "+49891234567")
    assert Contact.objects.get(last_name="Bühler").phone == "+41793334455"
    deals = _import(run_import, cast.admin, "opportunities", "pipedrive_deals.csv")
    assert deals.layout == "pipedrive" and deals.created_count == 4
    assert Opportunity.objects.get(title="BIM-Einführung").stage.code == "offer_preparation"
    lost = Opportunity.objects.get(title="Lagerlogistik")
    assert lost.stage.type == "lost" and lost.closing_reason.name_en == "Price too high"
    assert Opportunity.objects.get(title="Beratung Nachfolge").stage.type == "won"


def test_odoo_contacts_and_leads_from_excel(cast, run_import):
    from kundennetz.accounts.models import Account, Contact, Opportunity

    companies = _import(run_import, cast.admin, "accounts", "odoo_contacts.xlsx")
    assert (companies.layout, companies.file_format) == ("odoo", "xlsx")
    assert (companies.created_count, companies.skipped_count) == (2, 3)  # the persons are not companies
    assert {code for _action, codes in outcomes(companies).values() for code in codes} == {"not_a_company"}
    tessin = Account.objects.get(name="Tessin Software SA")
    assert tessin.external_id == "__export__.res_partner_41_8f3a1c2d" and tessin.city == "Lugano"
    people = _import(run_import, cast.admin, "contacts", "odoo_contacts.xlsx")
    assert (people.created_count, people.skipped_count) == (3, 2)  # the companies are not people
    giulia = Contact.objects.get(last_name="Bernasconi")
    assert (giulia.first_name, giulia.account, giulia.function) == ("Giulia", tessin, "CEO")
    assert Contact.objects.get(last_name="Caduff").phone == "+41812542425"
    leads = _import(run_import, cast.admin, "opportunities", "odoo_leads.xlsx")
    assert leads.layout == "odoo" and leads.created_count == 3
    booking = Opportunity.objects.get(title="Buchungsplattform")
    assert booking.expected_volume == Decimal("180000.5") and booking.expected_decision_date == date(2026, 9, 30)
    assert booking.stage.code == "qualifying" and booking.owner.username == "owner"
    assert Opportunity.objects.get(title="Wintersaison-Kampagne").stage.type == "won"
