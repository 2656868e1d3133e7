"""Forms of the network's records: choices narrowed to the user's reach, Swiss number input, model rules on fields."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kundennetz.accounts.forms import (
    AccountForm,
    ContactForm,
    InvolvementFormSet,
    OpportunityForm,
    StageForm,
    save_forms,
)
from kundennetz.accounts.models import ClosingReason, Contact, Opportunity, Stage

pytestmark = pytest.mark.django_db


def opportunity_data(account, **overrides):
    data = {"account": account.pk, "title": "Wartungsvertrag", "stage": Stage.objects.get(code="lead").pk}
    data.update(overrides)
    return data


def people(*rows, initial=0):
    data = {"people-TOTAL_FORMS": str(len(rows)), "people-INITIAL_FORMS": str(initial),
            "people-MIN_NUM_FORMS": "0", "people-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        data.update({f"people-{index}-{key}": value for key, value in row.items()})
    return data


def test_account_manager_sees_the_owner_but_cannot_change_it(cast):
    form = AccountForm(user=cast.owner)
    owner = form.fields["owner"]
    assert owner.disabled and list(owner.queryset) == [cast.owner]
    form = AccountForm({"name": "X AG", "country": "ch", "currency": "CHF", "status": "prospect",
                        "owner": cast.outsider.pk}, user=cast.owner)
    assert form.is_valid(), form.errors
    assert form.instance.owner == cast.owner and form.instance.country == "CH"


def test_managers_choose_among_active_account_managers(cast):
    cast.outsider.is_active = False
    cast.outsider.save()
    choices = set(AccountForm(user=cast.sales_head).fields["owner"].queryset)
    assert choices == {cast.owner, cast.team_member}


def test_owner_is_not_listed_twice_in_the_team(cast):
    form = AccountForm({"name": "X AG", "country": "CH", "currency": "CHF", "status": "prospect",
                        "owner": cast.owner.pk, "team": [cast.owner.pk, cast.team_member.pk]}, user=cast.sales_head)
    assert form.is_valid(), form.errors
    assert list(form.cleaned_data["team"]) == [cast.team_member]


@pytest.mark.parametrize("language,typed", [
    ("de-ch", "1'250'000.50"), ("de-ch", "1 250 000.50"), ("en", "1,250,000.50"), ("en", "1'250'000.50"),
    ("en", "1250000.50"),
])
def test_amounts_accept_swiss_and_english_grouping(cast, language, typed):
    with translation.override(language):
        form = AccountForm({"name": "X AG", "country": "CH", "currency": "CHF", "status": "prospect",
                            "annual_revenue": typed}, user=cast.owner)
        assert form.is_valid(), form.errors
    assert form.cleaned_data["annual_revenue"] == Decimal("1250000.50")


def test_a_decimal_comma_is_read_in_swiss_german_too(cast):
    with translation.override("de-ch"):
        form = AccountForm({"name": "X AG", "country": "CH", "currency": "CHF", "status": "prospect",
                            "annual_revenue": "1250,50", "contribution_margin_pct": "35,5"}, user=cast.owner)
        assert form.is_valid(), form.errors
    assert form.cleaned_data["annual_revenue"] == Decimal("1250.50")
    assert form.cleaned_data["contribution_margin_pct"] == Decimal("35.5")


def test_a_number_that_is_none_is_refused(cast):
    with translation.override("de-ch"):
        form = AccountForm({"name": "X AG", "country": "CH", "currency": "CHF", "status": "prospect",
                            "annual_revenue": "1'25,50"}, user=cast.owner)
        assert not form.is_valid() and "annual_revenue" in form.errors


def test_amounts_show_in_swiss_format(cast, network):
    network.account.refresh_from_db()
    with translation.override("de-ch"):
        html = str(AccountForm(instance=network.account, user=cast.owner)["potential"])
    assert 'value="1&#x27;200&#x27;000.00"' in html and 'inputmode="decimal"' in html


def test_first_field_with_an_error_gets_the_focus(cast):
    form = AccountForm({"name": "", "country": "Schweiz", "currency": "CHF", "status": "prospect"}, user=cast.owner)
    assert not form.is_valid()
    assert "autofocus" in str(form["name"]) and "autofocus" not in str(form["country"])


def test_contact_accounts_are_those_the_user_may_add_to(cast, network):
    assert list(ContactForm(user=cast.owner).fields["account"].queryset) == [network.account]
    assert list(ContactForm(user=cast.outsider).fields["account"].queryset) == [network.other_account]
    assert set(ContactForm(user=cast.sales_head).fields["account"].queryset) == {network.account,
                                                                                 network.other_account}


def test_reports_to_offers_the_accounts_people_except_oneself(cast, network):
    colleague = Contact.objects.create(account=network.account, last_name="Huber")
    Contact.objects.create(account=network.other_account, last_name="Fremd")
    form = ContactForm(instance=network.contact, user=cast.owner)
    assert list(form.fields["reports_to"].queryset) == [colleague]
    assert form.fields["account"].disabled
    assert list(ContactForm(user=cast.owner).fields["reports_to"].queryset) == []
    bound = ContactForm({"account": network.account.pk}, user=cast.owner)
    assert set(bound.fields["reports_to"].queryset) == {network.contact, colleague}


def test_a_foreign_account_is_no_valid_choice_even_when_posted(cast, network):
    form = ContactForm({"account": network.account.pk, "last_name": "Keller", "language": "de",
                        "attitude": "neutral"}, user=cast.outsider)
    assert not form.is_valid() and "account" in form.errors
    assert list(form.fields["reports_to"].queryset) == []


def test_lost_needs_a_closing_reason_on_that_field(cast, network):
    form = OpportunityForm(opportunity_data(network.account, stage=Stage.objects.get(code="lost").pk),
                           user=cast.owner)
    assert not form.is_valid()
    assert list(form.errors) == ["closing_reason"]


def test_closing_reason_must_fit_the_stage(cast, network):
    won_reason = ClosingReason.objects.filter(applies_to="won").first()
    form = OpportunityForm(opportunity_data(network.account, stage=Stage.objects.get(code="lost").pk,
                                            closing_reason=won_reason.pk), user=cast.owner)
    assert not form.is_valid() and "closing_reason" in form.errors


def test_won_needs_a_decision_to_pursue(cast, network):
    reason = ClosingReason.objects.filter(applies_to="won").first()
    form = OpportunityForm(opportunity_data(network.account, stage=Stage.objects.get(code="won").pk,
                                            closing_reason=reason.pk), user=cast.owner)
    assert not form.is_valid() and list(form.errors) == ["stage"]
    assert "needs a recorded decision to pursue" in form.errors["stage"][0]


def test_closing_date_follows_the_stage(cast, network):
    reason = ClosingReason.objects.filter(applies_to="lost").first()
    form = OpportunityForm(opportunity_data(network.account, stage=Stage.objects.get(code="lost").pk,
                                            closing_reason=reason.pk), user=cast.owner)
    assert form.is_valid(), form.errors
    assert form.instance.closed_on is not None
    form = OpportunityForm(opportunity_data(network.account, closed_on="2026-01-31"), user=cast.owner)
    assert form.is_valid() and form.instance.closed_on is None


def test_new_opportunity_starts_in_the_first_open_stage(cast, network):
    assert OpportunityForm(user=cast.owner).initial["stage"].code == "lead"


def test_inactive_stages_are_offered_only_where_already_used(cast, network):
    qualifying = network.opportunity.stage
    qualifying.is_active = False
    qualifying.save()
    assert qualifying not in OpportunityForm(user=cast.owner).fields["stage"].queryset
    assert qualifying in StageForm(instance=network.opportunity, user=cast.owner).fields["stage"].queryset


def test_people_involved_come_from_the_account_and_appear_once(cast, network):
    formset = InvolvementFormSet(people({"contact": network.contact.pk, "role": "user"},
                                        {"contact": network.contact.pk, "role": "coach"}),
                                 instance=network.opportunity, contacts=network.account.contacts.all(),
                                 user=cast.owner, prefix="people")
    assert not formset.is_valid()
    assert formset.non_form_errors() or any(formset.errors)


def test_a_person_without_buying_role_needs_a_role_in_the_deal(cast, network):
    nobody = Contact.objects.create(account=network.account, last_name="Ohnerolle")
    formset = InvolvementFormSet(people({"contact": nobody.pk, "role": ""}), instance=network.opportunity,
                                 contacts=network.account.contacts.all(), user=cast.owner, prefix="people")
    assert not formset.is_valid() and "role" in formset.forms[0].errors


def test_save_forms_leaves_nothing_behind_when_a_row_fails(cast, network, monkeypatch):
    form = OpportunityForm(opportunity_data(network.account), user=cast.owner)
    formset = InvolvementFormSet(people({"contact": network.contact.pk, "role": "user"}),
                                 instance=form.instance, contacts=network.account.contacts.all(),
                                 user=cast.owner, prefix="people")
    assert form.is_valid() and formset.is_valid()

    def refuse(*args, **kwargs):
        raise ValidationError({"contact": "Taken meanwhile."})

    monkeypatch.setattr(type(formset.forms[0].instance), "full_clean", refuse)
    assert save_forms(form, formset) is False
    assert not Opportunity.objects.filter(title="Wartungsvertrag").exists()
    assert form.instance.pk is None and form.instance._state.adding
    assert formset.forms[0].errors["contact"] == ["Taken meanwhile."]


def test_save_forms_stamps_who_and_records_history(cast, network):
    form = OpportunityForm(opportunity_data(network.account), user=cast.team_member)
    formset = InvolvementFormSet(people(), instance=form.instance, contacts=Contact.objects.none(),
                                 user=cast.team_member, prefix="people")
    assert form.is_valid() and formset.is_valid()
    assert save_forms(form, formset)
    opportunity = Opportunity.objects.get(title="Wartungsvertrag")
    assert opportunity.created_by == cast.team_member and opportunity.owner == cast.team_member
    assert opportunity.history.first().history_user == cast.team_member
