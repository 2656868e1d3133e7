"""Derived values follow their sources on every save path, update_or_create included."""

from decimal import Decimal

import pytest


@pytest.mark.django_db
def test_capacity_hours_follow_the_care_share_on_update_or_create(cast):
    from kundennetz.planning.models import Capacity, Period

    period = Period.objects.create(code="2031", kind="year", year=2031, start="2031-01-01", end="2031-12-31")
    figures = dict(fte=Decimal("1"), working_days=Decimal("220"), absence_days=Decimal("20"),
                   hours_per_day=Decimal("8"))
    capacity, _ = Capacity.objects.update_or_create(manager=cast.owner, period=period,
                                                    defaults={**figures, "care_share_pct": Decimal("50")})
    assert capacity.available_hours == pytest.approx(800)
    Capacity.objects.update_or_create(manager=cast.owner, period=period, defaults={"care_share_pct": Decimal("25")})
    assert Capacity.objects.get(pk=capacity.pk).available_hours == pytest.approx(400)
    capacity.refresh_from_db()
    capacity.fte = Decimal("0.5")
    capacity.save(update_fields=["fte"])
    assert Capacity.objects.get(pk=capacity.pk).available_hours == pytest.approx(200)


@pytest.mark.django_db
def test_search_and_sort_columns_follow_every_save_path(cast):
    from kundennetz.accounts.models import Account, Contact, Opportunity, Stage

    account = Account.objects.create(name="Bäckerei Zürcher AG", city="Zürich", owner=cast.owner)
    assert "backerei zurcher ag" in account.search_text and "zurich" in account.search_text
    assert account.name_sort == "backerei zurcher ag"
    contact = Contact.objects.create(account=account, first_name="Jürg", last_name="Nägeli")
    opportunity = Opportunity.objects.create(account=account, title="Wartung Öfen", owner=cast.owner,
                                             stage=Stage.objects.filter(type="open").first())
    assert "nageli" in contact.search_text and "backerei" in contact.search_text
    assert "ofen" in opportunity.search_text
    # A renamed account renews the search text of its people and opportunities.
    account.name = "Confiserie Sprüngli"
    account.save()
    assert "sprungli" in Contact.objects.get(pk=contact.pk).search_text
    assert "sprungli" in Opportunity.objects.get(pk=opportunity.pk).search_text
    # save(update_fields=...) and bulk_update (the import's path) keep them too.
    contact.last_name = "Müller"
    contact.save(update_fields=["last_name"])
    assert Contact.objects.get(pk=contact.pk).last_name_sort.startswith("muller")
    account.name = "Émile Frères SA"
    Account.objects.bulk_update([account], ["name"])
    stored = Account.objects.get(pk=account.pk)
    assert stored.name_sort == "emile freres sa" and "emile" in Contact.objects.get(pk=contact.pk).search_text
    created = Account.objects.bulk_create([Account(name="Öko Strom", owner=cast.owner)])
    assert Account.objects.get(pk=created[0].pk).name_sort == "oko strom"
