"""The demo shows every consistency measure in good and in bad shape."""

from datetime import date

import pytest

from kundennetz.sample import demo
from kundennetz.interactions.models import ConsistencySnapshot, CoreMessage, Interaction

pytestmark = pytest.mark.django_db

REFERENCE = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def only_this_apps_demo(monkeypatch):
    """The base network and this app's extension; other apps' demo data is theirs to test."""
    from kundennetz.interactions.demo import extend_demo

    monkeypatch.setattr(demo.loading, "_extensions", lambda: [extend_demo])


def test_demo_covers_good_and_bad():
    result = demo.load_demo(today=REFERENCE)
    assert result.counts["interactions"] == Interaction.objects.count() > 500
    rows = ConsistencySnapshot.objects.all()
    assert rows.count() == 60
    bands = set(rows.values_list("band", flat=True))
    assert bands == {"green", "amber", "red"}
    assert rows.filter(manager_changes_window__gte=2).count() >= 3           # third manager in 18 months
    assert rows.filter(days_since_last_contact__gt=90).exists()              # neglected accounts
    assert rows.filter(key_people_not_met=0, key_people__gt=0).exists()      # everyone met
    assert rows.filter(key_people_not_met__gt=0).exists()
    assert rows.filter(message_share__gte=0.75).exists() and rows.filter(message_share__lt=0.5).exists()
    codes = {r["code"] for reasons in rows.values_list("reasons", flat=True) for r in reasons}
    assert {"manager_changes", "no_contact_since", "below_plan", "outside_messages"} <= codes
    assert CoreMessage.objects.filter(valid_to__lt=REFERENCE).exists()      # a retired message
    assert CoreMessage.objects.filter(valid_from__gt=REFERENCE).exists()    # one still to come
    # Written in bulk, yet each carries its folded search text (topics and note).
    from kundennetz.domain.text import search_text

    assert all(row.search_text == search_text(row.topics, row.note, limit=None) and row.search_text
               for row in Interaction.objects.exclude(topics="", note=""))
    # Every demo interaction names its people in its history, as one logged on the site would.
    some = Interaction.objects.filter(contacts__isnull=False).first()
    assert set(some.history.first().contacts.values_list("contact_id", flat=True)) == set(
        some.contacts.values_list("pk", flat=True))


def test_demo_is_deterministic():
    first = demo.load_demo(today=REFERENCE)
    scores = sorted(ConsistencySnapshot.objects.values_list("account__name", "score"))
    demo.load_demo(today=REFERENCE, force=True)
    assert sorted(ConsistencySnapshot.objects.values_list("account__name", "score")) == scores
    assert first.counts["interactions"] == Interaction.objects.count()
    assert CoreMessage.objects.count() == first.counts["core messages"]
