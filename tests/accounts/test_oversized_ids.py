"""Ids beyond what the database stores are answered as invalid or not found, never with a server error."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"


def test_oversized_ids_in_forms_filters_and_urls(client_for, cast):
    client = client_for(cast.sales_head)
    response = client.post(reverse("accounts:account_create"), {
        "name": "X", "segment": HUGE, "owner": cast.owner.pk, "country": "CH", "currency": "CHF",
        "status": "prospect"})
    assert response.status_code == 200 and response.context["form"].errors["segment"]
    assert client.get(reverse("accounts:account_list"), {"segment": HUGE}).status_code == 200
    assert client.get(reverse("accounts:account_detail", args=[int(HUGE)])).status_code == 404
