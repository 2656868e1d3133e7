"""Derived values follow their sources on every save path: save, update_or_create, update, bulk_update and
bulk_create."""

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


def _capacities(cast, code="2032"):
    """Two capacities of a new period: 1 × (220 − 20) × 8 h × 50 % = 800 h each."""
    from kundennetz.planning.models import Capacity, Period

    period = Period.get(code)
    figures = dict(fte=Decimal("1"), working_days=Decimal("220"), absence_days=Decimal("20"),
                   hours_per_day=Decimal("8"), care_share_pct=Decimal("50"))
    made = [Capacity.objects.create(manager=manager, period=period, **figures)
            for manager in (cast.owner, cast.outsider)]
    assert [c.available_hours for c in made] == [pytest.approx(800)] * 2
    return period, made


def _stored_hours(period) -> list[float]:
    from kundennetz.planning.models import Capacity

    return list(Capacity.objects.filter(period=period).order_by("pk").values_list("available_hours", flat=True))


@pytest.mark.django_db
def test_capacity_hours_follow_the_figures_on_update(cast):
    from django.db.models import F

    from kundennetz.planning.models import Capacity

    period, made = _capacities(cast)
    assert Capacity.objects.filter(period=period).update(care_share_pct=Decimal("25")) == 2
    assert _stored_hours(period) == [pytest.approx(400)] * 2
    # The new figure as an expression, and a filter on the very figure changed: the rows written are the
    # rows whose hours are derived again.
    halved = Capacity.objects.filter(period=period, care_share_pct=Decimal("25")).update(fte=F("fte") * Decimal("0.5"))
    assert halved == 2
    assert _stored_hours(period) == [pytest.approx(200)] * 2
    Capacity.objects.filter(pk=made[0].pk).update(absence_days=Decimal("120"), hours_per_day=Decimal("10"))
    assert _stored_hours(period) == [pytest.approx(0.5 * 100 * 10 * 0.25), pytest.approx(200)]
    # Hours written by hand are derived from the figures like any other write of them.
    Capacity.objects.filter(period=period).update(working_days=Decimal("220"), absence_days=0,
                                                  hours_per_day=Decimal("8"), available_hours=9999)
    assert _stored_hours(period) == [pytest.approx(0.5 * 220 * 8 * 0.25)] * 2
    # A write of anything else leaves them as they are.
    assert Capacity.objects.filter(period=period).update(note="checked") == 2
    assert _stored_hours(period) == [pytest.approx(220)] * 2


@pytest.mark.django_db
def test_capacity_hours_follow_the_figures_on_bulk_update(cast):
    from kundennetz.planning.models import Capacity

    period, made = _capacities(cast, "2033")
    made[0].care_share_pct = Decimal("25")
    made[1].working_days = Decimal("120")
    Capacity.objects.bulk_update(made, ["care_share_pct", "working_days"])
    assert _stored_hours(period) == [pytest.approx(400), pytest.approx(400)]
    # A figure written alone brings its hours along (derived, whatever the record held for them).
    made[0].fte, made[0].available_hours = Decimal("0.5"), 1
    Capacity.objects.bulk_update(made, ["fte"])
    assert _stored_hours(period) == [pytest.approx(200), pytest.approx(400)]


@pytest.mark.django_db
def test_capacity_hours_follow_the_figures_on_bulk_create(cast):
    from kundennetz.planning.models import Capacity, Period

    period = Period.get("2034")
    Capacity.objects.bulk_create([
        Capacity(manager=cast.owner, period=period, fte=Decimal("1"), working_days=Decimal("220"),
                 absence_days=Decimal("20"), hours_per_day=Decimal("8"), care_share_pct=Decimal("50")),
        Capacity(manager=cast.outsider, period=period, fte=Decimal("0.8"), working_days=Decimal("100"),
                 absence_days=Decimal("0"), hours_per_day=Decimal("10"), care_share_pct=Decimal("60")),
    ])
    assert _stored_hours(period) == [pytest.approx(800), pytest.approx(480)]


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
