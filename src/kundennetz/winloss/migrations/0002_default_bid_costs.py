"""Estimated costs of a bid per customer group (and for accounts without one); editable afterwards."""

from decimal import Decimal

from django.db import migrations

COSTS = {None: "5000", "key_accounts": "15000", "mid_market": "5000", "public_sector": "20000", "small": "1000"}


def seed(apps, schema_editor):
    BidCost = apps.get_model("winloss", "BidCost")
    Segment = apps.get_model("accounts", "Segment")
    for code, amount in COSTS.items():
        segment = None if code is None else Segment.objects.filter(code=code).first()
        if code is not None and segment is None:
            continue
        if not BidCost.objects.filter(segment=segment).exists():
            BidCost.objects.create(segment=segment, amount=Decimal(amount))


class Migration(migrations.Migration):
    dependencies = [("winloss", "0001_initial"), ("accounts", "0003_default_pipeline")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
