"""The import's multi-row INSERTs write exactly what simple-history's `bulk_create_with_history`
writes: the same columns for each record (search columns, automatic dates, database defaults) and
one "+" history row each, by the importer, with the import's reason."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from kundennetz.imports.bulk import create_with_history

pytestmark = pytest.mark.django_db

def _accounts(cast, suffix):
    from kundennetz.accounts.models import Account, Segment

    segment = Segment.objects.order_by("pk").first()
    records = [
        Account(name=f"Zürcher Bäckerei „Brot“ AG {suffix}", city="Zürich", owner=cast.owner, segment=segment,
                annual_revenue=Decimal("1250000.50"), contribution_margin_pct=Decimal("-5.25"),
                external_id=f"007{suffix}", postal_code="0815"),
        Account(name=f"Leer {suffix}", owner=cast.sales_head),
    ]
    for record in records:
        record.stamp(cast.admin)
    return records


def test_accounts_and_their_history_as_simple_history_writes_them(cast):
    from kundennetz.accounts.models import Account

    when = timezone.now()
    ours = create_with_history(_accounts(cast, "A"), Account, user=cast.admin, reason="Import 1", when=when)
    theirs = bulk_create_with_history(_accounts(cast, "A"), Account, default_user=cast.admin,
                                      default_change_reason="Import 1", default_date=when)
    assert all(record.pk and not record._state.adding for record in ours)
    different = {"name", "external_id", "updated_at", "created_at", "search_text", "name_sort"}
    mine = Account.objects.filter(pk__in=[r.pk for r in ours]).order_by("pk")
    other = Account.objects.filter(pk__in=[r.pk for r in theirs]).order_by("pk")
    fields = [f.attname for f in Account._meta.concrete_fields if f.attname not in different | {"id"}]
    assert list(mine.values_list(*fields)) == list(other.values_list(*fields))
    # The folded search columns and the stamps are written as the ORM writes them.
    first = mine.first()
    assert first.search_text and first.name_sort and first.created_by == cast.admin
    assert first.annual_revenue == Decimal("1250000.50") and first.postal_code == "0815"
    history = Account.history.filter(id__in=[r.pk for r in ours]).order_by("id")
    assert [(h.history_type, h.history_user_id, h.history_change_reason, h.history_date) for h in history] == [
        ("+", cast.admin.pk, "Import 1", when)] * 2
    assert [h.name for h in history] == [r.name for r in ours]
    assert history.first().contribution_margin_pct == Decimal("-5.25")


def test_a_database_default_is_written_out(cast, network):
    from kundennetz.accounts.models import Opportunity, Stage

    stage = Stage.objects.filter(type=Stage.Type.OPEN).order_by("order").first()
    record = Opportunity(account=network.account, title="Neu", owner=cast.owner, stage=stage,
                         expected_decision_date=date(2026, 9, 30))
    record.stamp(cast.admin)
    create_with_history([record], Opportunity, user=cast.admin, reason="Import 2", when=timezone.now())
    stored = Opportunity.objects.get(pk=record.pk)
    plain = Opportunity(account=network.account, title="Gespeichert", owner=cast.owner, stage=stage)
    plain.save()
    for field in Opportunity._meta.concrete_fields:
        if field.has_db_default():
            assert getattr(stored, field.attname) == getattr(Opportunity.objects.get(pk=plain.pk), field.attname)
    assert Opportunity.history.get(id=record.pk).history_change_reason == "Import 2"
