"""Web pages of accounts, contacts and opportunities: who may see and do what, and what happens on bad input."""

import re
from decimal import Decimal

import pytest
from cast import CHANGES, OBSERVERS, ROLES
from django.urls import reverse

from kundennetz.accounts.models import (
    Account,
    ClosingReason,
    Competitor,
    Contact,
    Opportunity,
    OpportunityContact,
    Segment,
    Stage,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(cast):
    """The assertions read English page text, which the German catalogue would translate."""
    for user in cast.all().values():
        user.language = "en"
        user.save(update_fields=["language"])

KINDS = ["account", "contact", "opportunity"]


def url(name, *args, query=""):
    return reverse(f"accounts:{name}", args=args) + query


def text(response) -> str:
    """The page as a person reads it: tags removed, whitespace collapsed."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.replace("&#x27;", "'").replace("&amp;", "&"))


def account_data(**overrides):
    data = {"name": "Neu AG", "legal_form": "ag", "industry": "Maschinenbau", "status": "prospect",
            "city": "Thun", "country": "CH", "currency": "CHF", "annual_revenue": "", "potential": "250'000",
            "contribution_margin_pct": "", "street": "", "postal_code": "", "website": ""}
    data.update(overrides)
    return data


def contact_data(account, **overrides):
    data = {"account": account.pk, "first_name": "Beat", "last_name": "Keller", "function": "CIO",
            "department": "", "language": "de", "email": "beat.keller@example.ch", "phone": "",
            "buying_role": "influencer", "influence": "high", "attitude": "supporter", "reports_to": ""}
    data.update(overrides)
    return data


def formset_data(rows=(), prefix="people", initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def opportunity_data(account, people=(), **overrides):
    data = {"account": account.pk, "title": "Cloud-Migration", "need": "Rechenzentrum ablösen",
            "stage": Stage.objects.get(code="lead").pk, "expected_decision_date": "2026-09-30",
            "closing_reason": "", "closed_on": "", "expected_volume": "180'000", "expected_follow_up_volume": "",
            "offer_price": "", "estimated_margin_pct": "35", **formset_data(people)}
    data.update(overrides)
    return data


def record(network, kind):
    return getattr(network, kind)


# --- Who sees which page ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_list_pages_render_for_every_role(cast, network, client_for, role):
    client = client_for(getattr(cast, role))
    for name in ("account_list", "contact_list", "opportunity_list"):
        assert client.get(url(name)).status_code == 200


def test_list_pages_require_login(client, network):
    response = client.get(url("account_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ["admin", "sales_head", "owner", "team_member", "marketing", "read_only"])
def test_record_page_renders_for_who_may_see_it(cast, network, client_for, kind, role):
    response = client_for(getattr(cast, role)).get(record(network, kind).get_absolute_url())
    assert response.status_code == 200
    assert str(record(network, kind)) in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("page", ["detail", "update", "delete"])
def test_outsider_gets_404_and_learns_nothing(cast, network, client_for, kind, page):
    client = client_for(cast.outsider)
    assert client.get(url(f"{kind}_{page}", record(network, kind).pk)).status_code == 404
    # A record that does not exist looks the same.
    assert client.get(url(f"{kind}_{page}", 999_999)).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", sorted(CHANGES))
def test_owner_team_and_managers_open_edit_and_delete(cast, network, client_for, kind, role):
    client = client_for(getattr(cast, role))
    pk = record(network, kind).pk
    detail = client.get(url(f"{kind}_detail", pk)).content.decode()
    assert url(f"{kind}_update", pk) in detail
    assert client.get(url(f"{kind}_update", pk)).status_code == 200
    if kind == "account" and role == "team_member":
        # Trashing an account is for its owner, the sales head and an admin.
        assert url(f"{kind}_delete", pk) not in detail
        assert client.get(url(f"{kind}_delete", pk)).status_code == 403
    else:
        assert url(f"{kind}_delete", pk) in detail
        assert client.get(url(f"{kind}_delete", pk)).status_code == 200


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", sorted(OBSERVERS))
def test_observers_see_but_get_403_on_changes(cast, network, client_for, kind, role):
    client = client_for(getattr(cast, role))
    pk = record(network, kind).pk
    detail = client.get(url(f"{kind}_detail", pk)).content.decode()
    assert url(f"{kind}_update", pk) not in detail and url(f"{kind}_delete", pk) not in detail
    assert client.get(url(f"{kind}_update", pk)).status_code == 403
    assert client.post(url(f"{kind}_update", pk), {}).status_code == 403
    assert client.get(url(f"{kind}_delete", pk)).status_code == 403
    assert client.post(url(f"{kind}_delete", pk)).status_code == 403
    assert client.get(url(f"{kind}_create")).status_code == 403
    assert client.post(url(f"{kind}_create"), {}).status_code == 403
    assert type(record(network, kind)).objects.filter(pk=pk).exists()


@pytest.mark.parametrize("role", sorted(OBSERVERS))
def test_observers_get_no_create_buttons(cast, network, client_for, role):
    client = client_for(getattr(cast, role))
    assert url("account_create") not in client.get(url("account_list")).content.decode()
    page = client.get(network.account.get_absolute_url()).content.decode()
    assert url("contact_create") not in page and url("opportunity_create") not in page


def test_outsider_cannot_add_to_a_foreign_account(cast, network, client_for):
    client = client_for(cast.outsider)
    assert client.get(url("contact_create", query=f"?account={network.account.pk}")).status_code == 404
    response = client.post(url("contact_create"), contact_data(network.account))
    assert response.status_code == 200 and "account" in response.context["form"].errors
    assert not Contact.objects.filter(last_name="Keller").exists()


# --- Lists ----------------------------------------------------------------------------------------

def test_account_list_shows_only_reachable_accounts(cast, network, client_for):
    page = client_for(cast.outsider).get(url("account_list")).content.decode()
    assert network.other_account.name in page and network.account.name not in page
    page = client_for(cast.sales_head).get(url("account_list")).content.decode()
    assert network.other_account.name in page and network.account.name in page


def test_account_list_searches_filters_and_sorts(cast, network, client_for):
    client = client_for(cast.sales_head)
    assert list(client.get(url("account_list", query="?q=muster bern")).context["records"]) == [network.account]
    assert list(client.get(url("account_list", query="?q=fremd")).context["records"]) == [network.other_account]
    segment = network.account.segment
    assert list(client.get(url("account_list", query=f"?segment={segment.pk}")).context["records"]) == [network.account]
    assert list(client.get(url("account_list", query=f"?owner={cast.outsider.pk}")).context["records"]) == [
        network.other_account]
    by_revenue = client.get(url("account_list", query="?sort=-revenue")).context["records"]
    assert list(by_revenue) == [network.account, network.other_account]  # no revenue sorts last
    by_name_desc = client.get(url("account_list", query="?sort=-name")).context["records"]
    assert list(by_name_desc) == [network.account, network.other_account]
    by_name = client.get(url("account_list", query="?sort=name")).context["records"]
    assert list(by_name) == [network.other_account, network.account]


def test_unknown_sort_and_page_are_ignored(cast, network, client_for):
    response = client_for(cast.sales_head).get(url("account_list", query="?sort=password&page=999"))
    assert response.status_code == 200
    assert len(response.context["records"]) == 2


def test_list_is_paginated_by_25(cast, network, client_for):
    Account.objects.bulk_create([Account(name=f"Firma {i:02d}", owner=cast.owner) for i in range(30)])
    client = client_for(cast.owner)
    first = client.get(url("account_list"))
    assert len(first.context["records"]) == 25 and first.context["page"].paginator.count == 31
    assert len(client.get(url("account_list", query="?page=2")).context["records"]) == 6


def test_htmx_search_returns_only_the_results(cast, network, client_for):
    response = client_for(cast.owner).get(url("account_list", query="?q=muster&sort=city"),
                                          headers={"HX-Request": "true", "HX-Target": "results"})
    html = response.content.decode()
    assert "<html" not in html and network.account.name in html
    assert 'id="sort-input"' in html and 'hx-swap-oob="true"' in html
    assert "HX-Request" in response["Vary"]


def test_contact_and_opportunity_lists_filter(cast, network, client_for):
    client = client_for(cast.owner)
    Contact.objects.create(account=network.account, last_name="Zürcher", buying_role="gatekeeper")
    contacts = client.get(url("contact_list", query="?buying_role=decision_maker")).context["records"]
    assert list(contacts) == [network.contact]
    assert list(client.get(url("contact_list", query="?q=anna")).context["records"]) == [network.contact]
    lost = Stage.objects.get(code="lost")
    Opportunity.objects.create(account=network.account, title="Alt", owner=cast.owner, stage=lost,
                               closing_reason=ClosingReason.objects.filter(applies_to="lost").first())
    open_ones = client.get(url("opportunity_list", query="?stage_type=open")).context["records"]
    assert list(open_ones) == [network.opportunity]
    sorted_by_volume = client.get(url("opportunity_list", query="?sort=-volume")).context["records"]
    assert list(sorted_by_volume)[0] == network.opportunity


def test_filters_offer_only_visible_names(cast, network, client_for):
    response = client_for(cast.outsider).get(url("opportunity_list"))
    accounts = list(response.context["filter"].form.fields["account"].queryset)
    assert accounts == [network.other_account]


# --- Accounts: create, edit, delete ---------------------------------------------------------------

def test_account_manager_creates_account_owned_by_themselves(cast, network, client_for):
    client = client_for(cast.owner)
    response = client.post(url("account_create"), account_data(owner=cast.outsider.pk))
    account = Account.objects.get(name="Neu AG")
    assert response.status_code == 302 and response["Location"] == account.get_absolute_url()
    assert account.owner == cast.owner and account.created_by == cast.owner
    assert account.potential == Decimal("250000")


def test_sales_head_chooses_the_owner(cast, network, client_for):
    client = client_for(cast.sales_head)
    form = client.get(url("account_create")).context["form"]
    assert set(form.fields["owner"].queryset) == {cast.owner, cast.team_member, cast.outsider}
    client.post(url("account_create"), account_data(owner=cast.outsider.pk, team=[cast.owner.pk]))
    account = Account.objects.get(name="Neu AG")
    assert account.owner == cast.outsider and list(account.team.all()) == [cast.owner]


def test_sales_head_cannot_make_marketing_an_owner(cast, network, client_for):
    response = client_for(cast.sales_head).post(url("account_create"), account_data(owner=cast.marketing.pk))
    assert response.status_code == 200 and "owner" in response.context["form"].errors
    assert not Account.objects.filter(name="Neu AG").exists()


def test_bad_account_input_rerenders_with_field_errors_and_saves_nothing(cast, network, client_for):
    client = client_for(cast.owner)
    response = client.post(url("account_create"), account_data(name="", country="Schweiz", potential="viel"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"name", "country", "potential"} <= set(errors)
    assert 'class="error-summary"' in response.content.decode()
    assert Account.objects.count() == 2


def test_german_user_reads_validation_messages_in_german(cast, network, client_for):
    cast.owner.language = "de-ch"
    cast.owner.save()
    response = client_for(cast.owner).post(url("account_create"), account_data(name=""))
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    assert response["Content-Language"] == "de-ch"


def test_english_user_reads_english(cast, network, client_for):
    response = client_for(cast.owner).post(url("account_create"), account_data(name=""))
    assert "This field is required." in response.content.decode()


def test_team_member_edits_account(cast, network, client_for):
    client = client_for(cast.team_member)
    data = account_data(name="Muster Engineering AG", city="Zürich", segment=network.account.segment_id,
                        team=[cast.team_member.pk])
    response = client.post(url("account_update", network.account.pk), data)
    assert response.status_code == 302
    network.account.refresh_from_db()
    assert network.account.city == "Zürich" and network.account.owner == cast.owner
    assert network.account.updated_by == cast.team_member


def test_account_delete_asks_first_then_moves_to_trash(cast, network, client_for):
    client = client_for(cast.owner)
    page = client.get(url("account_delete", network.account.pk))
    assert "1 contact" in text(page) and "1 opportunity" in text(page)
    assert Account.objects.filter(pk=network.account.pk).exists()
    response = client.post(url("account_delete", network.account.pk))
    assert response.status_code == 302 and response["Location"] == url("account_list")
    assert not Account.objects.filter(pk=network.account.pk).exists()
    assert Account.all_objects.get(pk=network.account.pk).deleted_by == cast.owner
    assert not Contact.objects.filter(pk=network.contact.pk).exists()
    assert client.get(network.account.get_absolute_url()).status_code == 404


# --- Contacts -------------------------------------------------------------------------------------

def test_contact_create_from_account_page_preselects_it(cast, network, client_for):
    client = client_for(cast.team_member)
    response = client.get(url("contact_create", query=f"?account={network.account.pk}"))
    form = response.context["form"]
    assert form.initial["account"] == network.account
    assert list(form.fields["account"].queryset) == [network.account]
    assert list(form.fields["reports_to"].queryset) == [network.contact]
    response = client.post(url("contact_create", query=f"?account={network.account.pk}"),
                           contact_data(network.account, reports_to=network.contact.pk))
    contact = Contact.objects.get(last_name="Keller")
    assert response["Location"] == contact.get_absolute_url()
    assert contact.reports_to == network.contact and contact.created_by == cast.team_member


def test_contact_cannot_report_to_someone_at_another_account(cast, network, client_for):
    stranger = Contact.objects.create(account=network.other_account, last_name="Fremd")
    response = client_for(cast.sales_head).post(url("contact_create"),
                                                contact_data(network.account, reports_to=stranger.pk))
    assert "reports_to" in response.context["form"].errors
    assert not Contact.objects.filter(last_name="Keller").exists()


def test_contact_edit_keeps_its_account(cast, network, client_for):
    client = client_for(cast.owner)
    data = contact_data(network.other_account, first_name="Anna", last_name="Meier-Huber")
    assert client.post(url("contact_update", network.contact.pk), data).status_code == 302
    network.contact.refresh_from_db()
    assert network.contact.last_name == "Meier-Huber" and network.contact.account == network.account


def test_bad_contact_input_saves_nothing(cast, network, client_for):
    response = client_for(cast.owner).post(url("contact_update", network.contact.pk),
                                           contact_data(network.account, last_name="", email="kein-mail"))
    assert {"last_name", "email"} <= set(response.context["form"].errors)
    network.contact.refresh_from_db()
    assert network.contact.last_name == "Meier"


def test_contact_delete_returns_to_the_account(cast, network, client_for):
    response = client_for(cast.team_member).post(url("contact_delete", network.contact.pk))
    assert response["Location"] == network.account.get_absolute_url()
    assert Contact.all_objects.get(pk=network.contact.pk).is_deleted


def test_contact_page_shows_reports_and_deals(cast, network, client_for):
    report = Contact.objects.create(account=network.account, last_name="Huber", reports_to=network.contact)
    OpportunityContact.objects.create(opportunity=network.opportunity, contact=network.contact, role="decision_maker")
    page = text(client_for(cast.owner).get(network.contact.get_absolute_url()))
    assert str(report) in page and network.opportunity.title in page and "Decision maker" in page


# --- Opportunities --------------------------------------------------------------------------------

def test_opportunity_create_with_people_and_competitors(cast, network, client_for):
    competitor = Competitor.objects.create(name="Konkurrenz AG")
    client = client_for(cast.owner)
    form = client.get(url("opportunity_create", query=f"?account={network.account.pk}")).context["formset"]
    assert list(form.forms[0].fields["contact"].queryset) == [network.contact]
    data = opportunity_data(network.account, people=[{"contact": network.contact.pk, "role": ""}],
                            competitors=[competitor.pk])
    response = client.post(url("opportunity_create"), data)
    opportunity = Opportunity.objects.get(title="Cloud-Migration")
    assert response["Location"] == opportunity.get_absolute_url()
    assert opportunity.owner == cast.owner and opportunity.expected_volume == Decimal("180000")
    assert list(opportunity.competitors.all()) == [competitor]
    involvement = opportunity.involvements.get()
    assert involvement.contact == network.contact and involvement.role == "decision_maker"  # the contact's role
    page = text(client.get(opportunity.get_absolute_url()))
    assert "Anna Meier" in page and "Konkurrenz AG" in page and "CHF 180,000" in page


def test_opportunity_money_is_shown_in_the_account_currency(cast, network, client_for):
    network.account.currency = "EUR"
    network.account.save()
    page = text(client_for(cast.owner).get(network.opportunity.get_absolute_url()))
    assert "EUR 350,000" in page


def test_lost_without_closing_reason_shows_the_message_on_the_field(cast, network, client_for):
    client = client_for(cast.owner)
    data = opportunity_data(network.account, people=[{"contact": network.contact.pk, "role": "coach"}],
                            stage=Stage.objects.get(code="lost").pk)
    response = client.post(url("opportunity_create"), data)
    assert response.status_code == 200
    assert "closing_reason" in response.context["form"].errors
    assert not Opportunity.objects.filter(title="Cloud-Migration").exists()
    assert OpportunityContact.objects.count() == 0


def test_person_from_another_account_is_refused(cast, network, client_for):
    stranger = Contact.objects.create(account=network.other_account, last_name="Fremd")
    data = opportunity_data(network.account, people=[{"contact": stranger.pk, "role": "user"}])
    response = client_for(cast.sales_head).post(url("opportunity_create"), data)
    assert response.context["formset"].forms[0].errors["contact"]
    assert not Opportunity.objects.filter(title="Cloud-Migration").exists()


def test_opportunity_edit_changes_and_removes_people(cast, network, client_for):
    involvement = OpportunityContact.objects.create(opportunity=network.opportunity, contact=network.contact,
                                                    role="user")
    second = Contact.objects.create(account=network.account, last_name="Brunner", buying_role="coach")
    data = opportunity_data(network.account, title="ERP-Einführung Phase 1", stage=network.opportunity.stage_id)
    data.update(formset_data([{"id": involvement.pk, "contact": network.contact.pk, "role": "user", "DELETE": "on"},
                              {"contact": second.pk, "role": ""}], initial=1))
    response = client_for(cast.team_member).post(url("opportunity_update", network.opportunity.pk), data)
    assert response.status_code == 302
    network.opportunity.refresh_from_db()
    assert network.opportunity.title == "ERP-Einführung Phase 1"
    assert [(i.contact, i.role) for i in network.opportunity.involvements.all()] == [(second, "coach")]


def test_stage_change_from_the_opportunity_page(cast, network, client_for):
    client = client_for(cast.owner)
    lost = Stage.objects.get(code="lost")
    response = client.post(url("opportunity_stage", network.opportunity.pk), {"stage": lost.pk, "closing_reason": ""})
    assert response.status_code == 200
    assert "closing_reason" in response.context["stage_form"].errors
    network.opportunity.refresh_from_db()
    assert network.opportunity.stage.code == "qualifying"
    assert "Qualifying" in text(response)  # the page still shows the saved stage
    reason = ClosingReason.objects.filter(applies_to="lost").first()
    response = client.post(url("opportunity_stage", network.opportunity.pk), {"stage": lost.pk,
                                                                             "closing_reason": reason.pk})
    assert response.status_code == 302
    network.opportunity.refresh_from_db()
    assert network.opportunity.stage == lost and network.opportunity.closed_on is not None


@pytest.mark.parametrize("role", ["outsider", "marketing"])
def test_stage_change_refused(cast, network, client_for, role):
    client = client_for(getattr(cast, role))
    response = client.post(url("opportunity_stage", network.opportunity.pk),
                           {"stage": Stage.objects.get(code="won").pk})
    assert response.status_code == (404 if role == "outsider" else 403)


def test_opportunity_delete(cast, network, client_for):
    response = client_for(cast.owner).post(url("opportunity_delete", network.opportunity.pk))
    assert response["Location"] == network.account.get_absolute_url()
    assert not Opportunity.objects.filter(pk=network.opportunity.pk).exists()


def test_segment_names_follow_the_users_language(cast, network, client_for):
    segment = Segment.objects.get(code="mid_market")
    page = text(client_for(cast.owner).get(network.account.get_absolute_url()))
    assert segment.name_en in page
    cast.owner.language = "de-ch"
    cast.owner.save()
    page = text(client_for(cast.owner).get(network.account.get_absolute_url()))
    assert segment.name_de in page


# --- Django's admin follows the same rules ---------------------------------------------------------

def test_admin_lists_records_and_deletes_into_the_trash(cast, network, client_for):
    client = client_for(cast.admin)
    for model in ("account", "contact", "opportunity", "stage", "closingreason", "segment", "competitor"):
        assert client.get(reverse(f"admin:accounts_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_account_change", args=[network.account.pk])).status_code == 200
    response = client.post(reverse("admin:accounts_account_delete", args=[network.account.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert Account.all_objects.get(pk=network.account.pk).deleted_by == cast.admin
    assert Contact.all_objects.get(pk=network.contact.pk).is_deleted


def test_admin_changelist_is_restricted_like_the_pages(cast, network, client_for):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    model_admin = site._registry[Account]
    request = RequestFactory().get("/")
    request.user = cast.outsider
    assert list(model_admin.get_queryset(request)) == [network.other_account]
    assert not model_admin.has_change_permission(request, network.account)
    request.user = cast.marketing
    assert model_admin.has_view_permission(request, network.account)
    assert not model_admin.has_change_permission(request, network.account)
    assert not model_admin.has_add_permission(request)


def test_account_managers_do_not_get_into_the_admin(cast, client_for):
    response = client_for(cast.owner).get(reverse("admin:accounts_account_changelist"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_opportunity_stays_editable_when_a_person_involved_is_in_the_trash(cast, network, client_for):
    OpportunityContact.objects.create(opportunity=network.opportunity, contact=network.contact, role="user")
    network.contact.soft_delete(cast.owner)
    client = client_for(cast.owner)
    assert client.get(url("opportunity_update", network.opportunity.pk)).context["formset"].initial_form_count() == 0
    data = opportunity_data(network.account, title="ERP neu", stage=network.opportunity.stage_id)
    assert client.post(url("opportunity_update", network.opportunity.pk), data).status_code == 302
    assert OpportunityContact.objects.filter(opportunity=network.opportunity).count() == 1
