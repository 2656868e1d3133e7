"""The revenue with us in francs, stored per account and indexed, so that the list sorts it across currencies."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models.functions import Round


def convert(apps, schema_editor):
    from kundennetz.core.tunables.schemas import ExchangeRates

    Account = apps.get_model("accounts", "Account")
    TunableVersion = apps.get_model("core", "TunableVersion")
    stored = TunableVersion.objects.filter(name=ExchangeRates.NAME).order_by("-version").first()
    rates = (ExchangeRates.model_validate(stored.data) if stored else ExchangeRates()).rates()
    for code in ("CHF", *rates):
        factor = Decimal(1) if code == "CHF" else Decimal(str(rates[code]))
        Account.objects.filter(currency=code).update(revenue_base=models.ExpressionWrapper(
            Round(models.F("annual_revenue") * models.Value(factor), 2),
            output_field=models.DecimalField(max_digits=16, decimal_places=2)))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0011_stored_strategy_and_planned_figures"),
        ("core", "0008_seed_exchange_rates"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="revenue_base",
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=16, null=True),
        ),
        migrations.RunPython(convert, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="account",
            index=models.Index(condition=models.Q(("deleted_at__isnull", True)), fields=["revenue_base", "id"],
                               name="account_live_revenue_base"),
        ),
    ]
