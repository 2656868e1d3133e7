"""Reminders worth reading: who is reminded about which account, and long lists summarised."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kundennetz.domain.consistency import Contact, DueInput, Intensity, due_contacts
from kundennetz.domain.reminders import LONG_OVERDUE_DAYS, counts, digest, span, wants_reminders

TODAY = date(2026, 7, 1)
DM = Contact("c1", "Anna Meier", "decision_maker")
INF = Contact("c2", "Bruno Keller", "influencer")


def test_former_customers_only_when_a_strategy_chosen_for_them_asks():
    assert wants_reminders("customer", None) and wants_reminders("prospect", "cell")
    assert not wants_reminders("former", None)
    assert not wants_reminders("former", "cell")
    assert wants_reminders("former", "override")


def test_people_never_met_say_so():
    entry = DueInput("a", "u", Intensity(4, 6), last_contact=TODAY - timedelta(days=100),
                     since=date(2019, 1, 1), contacts=(DM, INF), last_contact_by_person={"c1": TODAY - timedelta(days=100)})
    due = due_contacts([entry], TODAY, 7)
    texts = {d.contact_id: d.reason for d in due}
    assert (texts["c2"].code, texts["c2"].params) == ("person_never_met", {"name": "Bruno Keller", "role": "influencer"})


def test_an_account_never_contacted_says_so():
    entry = DueInput("a", "u", Intensity(4, 6), last_contact=None, since=date(2019, 3, 1))
    (item,) = due_contacts([entry], TODAY, 7)
    assert item.reason.code == "account_never_contacted" and item.overdue
    assert item.reason.params == {"since": "2019-03-01"}


def test_long_overdue_reads_in_years_not_thousands_of_days():
    entry = DueInput("a", "u", Intensity(4, 6), last_contact=TODAY - timedelta(days=2559 + 91))
    (item,) = due_contacts([entry], TODAY, 7)
    assert item.days_overdue == 2559
    assert (item.reason.code, item.reason.params) == ("account_contact_overdue", {"days": 2559, "interval": 91})


def test_digest_splits_each_account():
    entries = [
        DueInput("a", "u", Intensity(4, 6), last_contact=TODAY - timedelta(days=800), contacts=(DM, INF),
                 last_contact_by_person={"c1": TODAY - timedelta(days=100)}),
        DueInput("b", "u", Intensity(4, 6), last_contact=TODAY - timedelta(days=95)),
    ]
    due = due_contacts(entries, TODAY, 7, {"a": 2, "b": 1})
    groups = digest(due)
    assert [g.account_id for g in groups] == ["a", "b"]
    a, b = groups
    assert [d.contact_id for d in a.long_overdue] == [None]
    assert [d.contact_id for d in a.never_met] == ["c2"]
    assert [d.contact_id for d in a.items] == ["c1"]
    assert a.longest_overdue_days > LONG_OVERDUE_DAYS and a.last_contact == TODAY - timedelta(days=800)
    assert len(b.items) == 1 and not b.long_overdue and not b.never_met
    overdue = sum(1 for d in due if d.overdue)
    assert counts(groups) == (overdue, len(due) - overdue) and overdue >= 3
    with pytest.raises(ValueError):
        digest(due, -1)


@given(st.lists(st.tuples(st.integers(0, 4000), st.booleans()), max_size=20))
def test_digest_keeps_every_item_once(spec):
    entries = [DueInput(f"a{i}", "u", Intensity(4, 6), last_contact=None if never else TODAY - timedelta(days=days))
               for i, (days, never) in enumerate(spec)]
    due = due_contacts(entries, TODAY, 30)
    groups = digest(due)
    flat = [d for g in groups for d in g.all]
    assert sorted(map(id, flat)) == sorted(map(id, due))


@pytest.mark.parametrize(("days", "expected"), [(0, (0, "days")), (59, (59, "days")), (60, (2, "months")),
                                                 (729, (24, "months")), (730, (2, "years")), (2559, (7, "years"))])
def test_span(days, expected):
    assert span(days) == expected
