"""The default pipeline, closing reasons and customer groups; all editable afterwards."""

from decimal import Decimal

from django.db import migrations

STAGES = [
    # code, German, English, order, type, probability, requires a decision to pursue
    ("lead", "Lead", "Lead", 10, "open", 10, False),
    ("qualifying", "Qualifizierung", "Qualifying", 20, "open", 20, False),
    ("offer_preparation", "Angebot in Vorbereitung", "Offer in preparation", 30, "open", 40, False),
    ("offer_submitted", "Angebot eingereicht", "Offer submitted", 40, "open", 60, True),
    ("negotiation", "Verhandlung", "Negotiation", 50, "open", 75, True),
    ("won", "Gewonnen", "Won", 60, "won", 100, False),
    ("lost", "Verloren", "Lost", 70, "lost", 0, False),
    ("no_offer", "Kein Angebot", "No offer", 80, "no_offer", 0, False),
]

REASONS = [
    ("lost", "Preis zu hoch", "Price too high"),
    ("lost", "Lösung passte nicht", "Solution did not fit"),
    ("lost", "Konkurrent mit bestehender Beziehung", "Competitor with an existing relationship"),
    ("lost", "Projekt abgesagt oder verschoben", "Project cancelled or postponed"),
    ("lost", "Kein Budget beim Kunden", "No budget at the customer"),
    ("won", "Beste Lösung", "Best solution"),
    ("won", "Beziehung und Vertrauen", "Relationship and trust"),
    ("won", "Preis", "Price"),
    ("no_offer", "Qualifizierung ungenügend (ASCOTSMAN)", "Insufficient qualification (ASCOTSMAN)"),
    ("no_offer", "Keine Kapazität", "No capacity"),
    ("no_offer", "Nicht strategisch", "Not strategic"),
]

SEGMENTS = [
    ("key_accounts", "Grosskunden", "Key accounts", "250000", "5000000", "35"),
    ("mid_market", "KMU", "Mid-market", "50000", "750000", "38"),
    ("public_sector", "Öffentliche Hand", "Public sector", "100000", "3000000", "30"),
    ("small", "Kleinkunden", "Small customers", "5000", "100000", "40"),
]


def seed(apps, schema_editor):
    Stage = apps.get_model("accounts", "Stage")
    ClosingReason = apps.get_model("accounts", "ClosingReason")
    Segment = apps.get_model("accounts", "Segment")
    for code, de, en, order, type_, probability, pursuit in STAGES:
        Stage.objects.get_or_create(code=code, defaults=dict(
            name_de=de, name_en=en, order=order, type=type_, probability_pct=probability,
            requires_pursuit_decision=pursuit))
    for order, (applies_to, de, en) in enumerate(REASONS):
        ClosingReason.objects.get_or_create(name_en=en, applies_to=applies_to,
                                            defaults=dict(name_de=de, order=order))
    for code, de, en, vmin, vmax, margin in SEGMENTS:
        Segment.objects.get_or_create(code=code, defaults=dict(
            name_de=de, name_en=en, volume_min=Decimal(vmin), volume_max=Decimal(vmax),
            margin_target_pct=Decimal(margin)))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
