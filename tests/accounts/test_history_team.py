"""An account saved without touching its team logs no team change; a team set on creation is part of it."""

import re

import pytest
from django.urls import reverse

from kundennetz.accounts.models import Account

pytestmark = pytest.mark.django_db


def history(client, account) -> str:
    html = client.get(account.get_absolute_url()).content.decode()
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return page[page.index("When Who What"):]


def form_data(account, **changes) -> dict:
    data = {"name": account.name, "legal_form": account.legal_form, "industry": account.industry,
            "segment": account.segment_id or "", "status": account.status, "street": account.street,
            "postal_code": account.postal_code, "city": account.city, "country": account.country,
            "website": account.website, "currency": account.currency, "annual_revenue": "", "potential": "",
            "contribution_margin_pct": "", "owner": account.owner_id,
            "team": list(account.team.values_list("pk", flat=True))}
    data.update(changes)
    return data


def test_created_with_a_team_then_saved_unchanged(cast, client_for):
    client = client_for(cast.sales_head)
    response = client.post(reverse("accounts:account_create"), {
        "name": "Team AG", "status": "prospect", "currency": "CHF", "country": "CH", "owner": cast.owner.pk,
        "team": [cast.team_member.pk]})
    assert response.status_code == 302
    account = Account.objects.get(name="Team AG")
    assert list(account.team.all()) == [cast.team_member]
    response = client.post(reverse("accounts:account_update", args=[account.pk]), form_data(account))
    assert response.status_code == 302
    page = history(client, account)
    assert "Account team" not in page and "Created" in page
    # A real change of the team later is still shown.
    client.post(reverse("accounts:account_update", args=[account.pk]), form_data(account, team=[]))
    assert f"Account team: {cast.team_member} → –" in history(client, account)


def test_team_added_later_by_someone_else_is_a_change(cast, network, client_for):
    network.account.team.clear()
    client = client_for(cast.sales_head)
    client.post(reverse("accounts:account_update", args=[network.account.pk]),
                form_data(network.account, team=[cast.outsider.pk]))
    assert f"Account team: – → {cast.outsider}" in history(client, network.account)
