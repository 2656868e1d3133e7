"""Each measure's edges through the database: no interactions, one, a change of account manager on the
period's boundary (from the account's history), and the bulk loading agreeing with the one-account path."""

from datetime import date, timedelta

import pytest

from kundennetz.accounts.models import Account, Contact
from kundennetz.domain import consistency as dc
from kundennetz.interactions import services
from kundennetz.interactions.models import ConsistencySnapshot, Interaction

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)
H1 = dc.Period(date(2026, 1, 1), date(2026, 6, 30))


def assess(account, period=H1, today=TODAY):
    return services.account_consistency(account, period, today).current


@pytest.fixture
def tended(network, owner_history, cast):
    """The test account, owned by `owner` since 2023 (so tenure and changes are no concern)."""
    return owner_history(network.account, [(date(2023, 1, 1), cast.owner)])


def test_no_interactions(tended, network):
    result = assess(tended)
    assert result.cadence.contacts == 0
    assert result.cadence.longest_gap_days == H1.days
    assert result.cadence.last_contact is None
    assert result.messages.interactions == 0
    codes = [r.code for r in result.score.reasons]
    assert "no_contact_in_period" in codes and "decision_maker_never_met" in codes
    assert [n.code for n in result.score.notes] == ["messages_not_assessed"]
    assert result.continuity.changes_in_period == 0 and result.continuity.manager_id == network.account.owner_id
    assert result.score.band == dc.RED


def test_one_interaction(tended, network, log, core_messages, cast):
    log(tended, date(2026, 3, 10), contacts=[network.contact], messages=[core_messages["quality"]])
    result = assess(tended)
    assert result.cadence.contacts == 1 and result.cadence.held == 1
    assert result.cadence.last_contact == date(2026, 3, 10)
    assert result.cadence.days_since_last_contact == (TODAY - date(2026, 3, 10)).days
    assert result.messages.with_current == 1 and result.messages.share == 1.0
    # Met in the period, but longer ago than the 90 days set for a decision maker.
    gap = result.cadence.key_people_gaps[0]
    assert gap.contact_id == network.contact.pk and gap.met_in_period and gap.days_since == 112
    # The author was taken as "our people", and they are the responsible manager: full presence.
    assert result.continuity.presence == 1.0
    assert result.score.value > assess(tended, today=TODAY).score.value - 1e-9  # deterministic


def test_an_email_counts_half_and_a_deleted_interaction_not_at_all(tended, log, cast):
    log(tended, date(2026, 2, 1), type="email")
    gone = log(tended, date(2026, 2, 2))
    gone.soft_delete(cast.owner)
    result = assess(tended)
    assert result.cadence.held == 0.5 and result.cadence.contacts == 1


def test_retired_message_is_outside_the_current_set(tended, log, core_messages):
    log(tended, date(2026, 2, 1), messages=[core_messages["old"]])
    result = assess(tended)
    assert result.messages.with_current == 0
    assert [(o.message_id, o.status) for o in result.messages.outside] == [(core_messages["old"].pk, "retired")]


@pytest.mark.parametrize(("change_day", "in_period"), [
    (date(2026, 1, 1), True),     # on the first day of the period
    (date(2026, 3, 31), True),    # on the last day
    (date(2026, 4, 1), False),    # the day after it ends
    (date(2025, 12, 31), False),  # the day before it starts
])
def test_manager_change_on_the_period_boundary(network, owner_history, cast, change_day, in_period):
    owner_history(network.account, [(date(2023, 1, 1), cast.outsider), (change_day, cast.owner)])
    q1 = dc.Period(date(2026, 1, 1), date(2026, 3, 31))
    result = assess(network.account, q1)
    assert result.continuity.changes_in_period == (1 if in_period else 0)
    # Either way it is one change in the 18 months before the period's end, unless it came after it.
    assert result.continuity.changes_in_window == (0 if change_day > q1.end else 1)
    expected_manager = cast.owner if change_day <= q1.end else cast.outsider
    assert result.continuity.manager_id == expected_manager.pk


def test_third_manager_in_18_months_is_a_reason(network, owner_history, cast):
    owner_history(network.account, [(date(2023, 1, 1), cast.outsider), (date(2025, 6, 1), cast.team_member),
                                    (date(2026, 2, 1), cast.owner)])
    result = assess(network.account)
    assert result.continuity.changes_in_window == 2
    reason = next(r for r in result.score.reasons if r.code == "manager_changes")
    assert services.reason_text(reason, "en") == "third account manager in 18 months (2 changes)"
    assert services.reason_text(reason, "de-ch").startswith("2 Wechsel der verantwortlichen Person")


def test_account_without_history_rows_uses_its_owner_since_creation(network, cast):
    network.account.history.all().delete()
    assignments = services.assignments_for([network.account.pk])[network.account.pk]
    assert [a.user_id for a in assignments] == [cast.owner.pk]


def test_influence_words_become_weights(tended, network):
    Contact.objects.filter(pk=network.contact.pk).update(influence="high")
    people = services.contacts_for([tended.pk])[tended.pk]
    assert people[0].influence == 3.0 and people[0].role == dc.DECISION_MAKER


def test_intensity_falls_back_to_the_default_of_the_customer_group(network):
    """Without a strategy the account gets its customer group's row of the one default table (the one
    planning uses); an account without a group the row for "no group"."""
    from kundennetz.core import tunables
    from kundennetz.core.tunables.schemas import DefaultIntensities

    intensities = services.intensity_for_accounts([network.account.pk, network.other_account.pk])
    table = tunables.get(DefaultIntensities)
    mid, none = table.for_group("mid_market"), table.for_group("")
    assert network.account.segment.code == "mid_market" and network.other_account.segment_id is None
    # The cadence is measured against the one planned figure: the plan the group's default implies
    # (mid-market: 30 h a year at 30/7 h per contact = 7 contacts), the quarterly minimum of the group.
    figure = services.planned_figure(network.account.pk)
    assert (figure.source, figure.contacts) == ("default", pytest.approx(7.0))
    assert intensities[network.account.pk].contacts_per_year_min == pytest.approx(7.0)
    assert intensities[network.account.pk].min_per_quarter == mid.min_contacts_per_quarter == 1
    other = services.planned_figure(network.other_account.pk)
    assert other.source == "default" and other.contacts >= none.contacts_per_year_min
    assert intensities[network.other_account.pk].contacts_per_year_min == pytest.approx(other.contacts)


def _spread(log, account, contact, core_messages, start, step, count):
    for i in range(count):
        log(account, start + timedelta(days=i * step), contacts=[contact] if i % 3 == 0 else [],
            messages=[core_messages["quality"]] if i % 2 else [core_messages["old"]],
            type="email" if i % 4 == 3 else "meeting")


def test_bulk_loading_agrees_with_the_one_account_path(network, owner_history, log, core_messages, cast):
    owner_history(network.account, [(date(2022, 1, 1), cast.outsider), (date(2025, 9, 1), cast.owner)])
    _spread(log, network.account, network.contact, core_messages, date(2023, 2, 1), 47, 25)
    other_contact = Contact.objects.create(account=network.other_account, last_name="Berger",
                                           buying_role=Contact.BuyingRole.INFLUENCER)
    _spread(log, network.other_account, other_contact, core_messages, date(2022, 5, 1), 90, 10)
    period = services.rolling_year(TODAY)
    previous = dc.previous_period(period)
    messages = services.message_set()
    bulk = {h.account_id: h for h in services.iter_histories(previous.start, TODAY, chunk=1)}
    assert set(bulk) == {network.account.pk, network.other_account.pk}
    for account in (network.account, network.other_account):
        full = services.account_history(account, until=TODAY)
        for p in (period, previous):
            a = dc.assess_account(full, p, messages, TODAY)
            b = dc.assess_account(bulk[account.pk], p, messages, TODAY)
            assert a.score == b.score, (account, p)
            assert a.cadence == b.cadence and a.continuity == b.continuity and a.messages == b.messages
        assert dc.due_input(full, TODAY) == dc.due_input(bulk[account.pk], TODAY)


def test_due_contacts_from_aggregates_match_the_full_history(network, owner_history, log, core_messages, cast):
    owner_history(network.account, [(date(2024, 1, 1), cast.owner)])
    log(network.account, date(2026, 1, 5), contacts=[network.contact])
    log(network.account, date(2026, 4, 20), type="email")
    log(network.account, date(2026, 5, 2), type="other")
    today = date(2026, 7, 1)
    full = services.account_history(network.account, until=today)
    # Without a portfolio rank, an account's priority is its revenue.
    expected = dc.due_contacts([dc.due_input(full, today)], today, 7, {network.account.pk: 420000.0})
    got = services.due_for_accounts(Account.objects.filter(pk=network.account.pk), today, 7)
    assert got == expected
    # The account itself was contacted on 2 May and is planned 7 contacts a year (due again 52 days
    # later, 23 June): overdue, as is its decision maker.
    assert sorted([(d.contact_id or 0, d.overdue) for d in got]) == [(0, True), (network.contact.pk, True)]


def test_snapshots_store_the_measures_and_drop_trashed_accounts(network, owner_history, log, cast):
    owner_history(network.account, [(date(2024, 1, 1), cast.owner)])
    log(network.account, date(2026, 5, 2), contacts=[network.contact])
    assert services.refresh_snapshots(TODAY) == 2
    row = ConsistencySnapshot.objects.get(account=network.account)
    live = services.account_consistency(network.account, services.rolling_year(TODAY), TODAY)
    assert row.score == pytest.approx(live.current.score.value)
    # Nothing was recorded before this year: the first score is new, not a rise from the empty year before.
    assert row.score_previous is None and live.earlier is None and live.is_first_score
    assert row.decision_makers == 1 and row.decision_makers_covered == 1
    assert row.last_contact == date(2026, 5, 2) and row.manager_id == cast.owner.pk
    assert [r["code"] for r in row.reasons] == [r.code for r in live.current.score.top(5)]
    network.other_account.soft_delete(cast.admin)
    services.refresh_snapshots(TODAY)
    assert list(ConsistencySnapshot.objects.values_list("account_id", flat=True)) == [network.account.pk]


def test_one_account_refresh_keeps_the_others(network):
    services.refresh_snapshots(TODAY)
    services.refresh_snapshots(TODAY, account_ids=[network.account.pk])
    assert ConsistencySnapshot.objects.count() == 2


def test_interactions_of_a_trashed_account_are_left_out(network, log, cast):
    log(network.account, date(2026, 5, 2))
    network.account.soft_delete(cast.admin)
    assert [h.account_id for h in services.iter_histories(date(2025, 1, 1), TODAY)] == [network.other_account.pk]
    assert Interaction.objects.count() == 1


def test_a_whole_network_run_in_small_ranges_stores_what_one_range_stores(cast, monkeypatch):
    """The whole network goes range by range (memory bounded by the range, not the network): the rows and
    the stored overview are the same whatever the range's size, also with a trashed account in between."""
    from kundennetz.interactions.models import ConsistencyOverview
    from kundennetz.sample.generate import generate_network

    generate_network(23, managers=2, interactions_per_account=6, seed=9, today=TODAY, consistency=False,
                     rebuild_indexes=False)
    Account.objects.order_by("pk")[5].soft_delete(cast.admin)
    fields = [f.attname for f in ConsistencySnapshot._meta.concrete_fields if f.attname != "computed_at"]

    def stored():
        return list(ConsistencySnapshot.objects.order_by("account_id").values_list(*fields))

    def overview_now():
        figures, stale = ConsistencyOverview.objects.values_list("figures", "rows_stale").get()
        return {key: value for key, value in figures.items() if key != "computed_at"}, stale

    assert services.refresh_snapshots(TODAY) == Account.objects.count()
    whole, overview = stored(), overview_now()
    ConsistencySnapshot.objects.all().delete()
    monkeypatch.setattr(services, "RANGE_ACCOUNTS", 4)
    ranges = []
    real = services._refresh_accounts
    monkeypatch.setattr(services, "_refresh_accounts", lambda run, ids, batch: ranges.append(len(ids)) or real(
        run, ids, batch))
    assert services.refresh_snapshots(TODAY) == Account.objects.count()
    assert stored() == whole and len(whole) == Account.objects.count()
    assert overview_now() == overview
    assert max(ranges) == 4 and len(ranges) == -(-Account.objects.count() // 4)
