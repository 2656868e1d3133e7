"""restrict(): each role sees and changes exactly what it may — the fixed cast against one small network."""

import pytest

from kundennetz.accounts.models import Account, Contact, Opportunity
from kundennetz.core.permissions import can, can_create, can_manage_trash, restrict

pytestmark = pytest.mark.django_db


def visible(model, user, action):
    return set(restrict(model.objects.all(), user, action).values_list("pk", flat=True))


@pytest.mark.parametrize("model,attr", [(Account, "account"), (Contact, "contact"), (Opportunity, "opportunity")])
def test_account_managers_reach_only_their_accounts(cast, network, model, attr):
    record = getattr(network, attr)
    for action in ("view", "change", "delete"):
        assert record.pk in visible(model, cast.owner, action)
        # Trashing the account itself is the owner's decision; its people and deals the team's too.
        assert (record.pk in visible(model, cast.team_member, action)) == (model is not Account or action != "delete")
        assert record.pk not in visible(model, cast.outsider, action)


def test_outsider_sees_own_account_only(cast, network):
    assert visible(Account, cast.outsider, "view") == {network.other_account.pk}


@pytest.mark.parametrize("role", ["admin", "sales_head"])
def test_managing_roles_reach_everything(cast, network, role):
    user = getattr(cast, role)
    for action in ("view", "change", "delete"):
        assert visible(Account, user, action) == {network.account.pk, network.other_account.pk}
    assert can_create(user) and can_manage_trash(user)


@pytest.mark.parametrize("role", ["marketing", "read_only"])
def test_observing_roles_see_all_change_nothing(cast, network, role):
    user = getattr(cast, role)
    assert visible(Account, user, "view") == {network.account.pk, network.other_account.pk}
    assert visible(Account, user, "change") == set()
    assert visible(Opportunity, user, "delete") == set()
    assert not can(user, "change", network.account)
    assert not can_create(user) and not can_manage_trash(user)


def test_inactive_and_anonymous_users_see_nothing(cast, network):
    from django.contrib.auth.models import AnonymousUser

    cast.owner.is_active = False
    cast.owner.save()
    assert visible(Account, cast.owner, "view") == set()
    assert visible(Account, AnonymousUser(), "view") == set()


def test_unknown_action_is_an_error(cast):
    with pytest.raises(ValueError):
        restrict(Account.objects.all(), cast.admin, "steal")


def test_account_manager_cannot_manage_trash(cast):
    assert can_create(cast.owner)
    assert not can_manage_trash(cast.owner)


# --- get_for: the one door for loading a record by id -------------------------------------------------


def test_get_for_answers_404_for_unseen_403_for_unchangeable_and_the_record_otherwise(cast, network):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from kundennetz.core.permissions import get_for

    contacts = Contact.objects.all()
    assert get_for(contacts, cast.team_member, network.contact.pk, "change") == network.contact
    with pytest.raises(Http404):
        get_for(contacts, cast.outsider, network.contact.pk, "change")
    with pytest.raises(PermissionDenied, match="may not change"):
        get_for(contacts, cast.read_only, network.contact.pk, "change")
    with pytest.raises(PermissionDenied, match="may not delete"):
        get_for(Account.objects.all(), cast.team_member, network.account.pk, "delete")
    assert get_for(contacts, cast.read_only, str(network.contact.pk)) == network.contact


@pytest.mark.parametrize("pk", ["abc", "", None, -1, 0, 2**63, "9" * 30])
def test_get_for_takes_a_word_or_an_impossible_id_for_a_missing_record(cast, network, pk):
    from django.http import Http404

    from kundennetz.core.permissions import get_for

    with pytest.raises(Http404):
        get_for(Account.objects.all(), cast.admin, pk)


def test_records_of_a_trashed_account_are_gone_for_everyone_but_the_trash(cast, network):
    network.account.soft_delete(cast.owner)
    # The contact went to the trash with its account; the trash page still finds it to restore it.
    contacts = Contact.all_objects.filter(pk=network.contact.pk)
    assert not restrict(contacts, cast.sales_head).exists()
    assert restrict(contacts, cast.sales_head, "change", with_trashed_accounts=True).exists()


# --- the capability table is the only list of who may do what -----------------------------------------


def test_a_superuser_holds_every_right_but_is_not_planned_as_an_account_manager(cast):
    from kundennetz.core.capabilities import JOB_CAPABILITIES, TABLE, has

    for capability in TABLE:
        assert has(cast.admin, capability) == (capability not in JOB_CAPABILITIES)
    with pytest.raises(ValueError):
        has(cast.admin, "fly")


def test_an_inactive_user_holds_nothing(cast):
    from kundennetz.core.capabilities import TABLE, has

    cast.sales_head.is_active = False
    assert not any(has(cast.sales_head, capability) for capability in TABLE)
    assert not cast.sales_head.is_managing


def test_the_derived_role_properties_follow_the_table(cast, monkeypatch):
    from kundennetz.core import capabilities
    from kundennetz.core.roles import Role

    assert cast.sales_head.is_managing and not cast.sales_head.is_observing
    assert cast.marketing.is_observing and not cast.marketing.is_managing
    # Taking the right from the table takes it from the user: no second list decides it.
    label, holders = capabilities.TABLE["change_any_account"]
    monkeypatch.setitem(capabilities.TABLE, "change_any_account", (label, holders - {Role.SALES_HEAD}))
    assert not cast.sales_head.is_managing
    assert not restrict(Account.objects.all(), cast.sales_head, "change").exists()


def test_no_permission_rule_names_roles_outside_the_table():
    """Role checks go through the capability table: no `user.role ==`, `role in (...)` or role sets
    in the rules of the apps (the table itself, demo data and user lists may still name roles)."""
    import pathlib
    import re

    import kundennetz

    root = pathlib.Path(kundennetz.__file__).parent
    pattern = re.compile(r"\.role (==|!=|in) |MANAGING_ROLES|OBSERVING_ROLES")
    offenders = [f"{path.relative_to(root)}:{number}" for path in root.rglob("*permissions.py")
                 for number, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    offenders += [f"{path.relative_to(root)}:{number}" for path in root.rglob("*.py")
                  if "migrations" not in path.parts and "demo" not in path.parts and path.name != "capabilities.py"
                  for number, line in enumerate(path.read_text().splitlines(), 1)
                  if re.search(r"user\.role (==|!=|in) ", line)]
    assert not offenders, offenders


def test_can_on_seen_answers_as_can_does_for_every_record_a_user_sees(cast, network):
    """`can_on_seen` skips the query only where the rule allows it; for every record each member of the cast
    sees (and the account of each), its answer is the one `can` gives for every action."""
    from kundennetz.core.permissions import can_on_seen

    for user in cast.all().values():
        for model in (Account, Contact, Opportunity):
            for record in restrict(model.objects.all(), user, "view"):
                for action in ("view", "change", "delete"):
                    assert can_on_seen(user, action, record) == can(user, action, record), (user, record, action)
                    if model is not Account:
                        assert can_on_seen(user, action, record.account) == can(user, action, record.account)


@pytest.mark.parametrize("action", ["view", "change", "delete"])
def test_the_accounts_restrict_narrows_to_are_its_own_list(cast, network, action):
    """`restricting_accounts` names a list of accounts exactly when `restrict`'s rule is one (account
    managers, not the owner-only trashing of an account), and records of those accounts are exactly what
    `restrict` lets through; a trashed account is not on it."""
    from kundennetz.core.models import User
    from kundennetz.core.permissions import account_lookup, restricting_accounts
    from kundennetz.interactions.models import Interaction

    trashed = Account.objects.create(name="Im Papierkorb AG", owner=cast.owner)
    trashed.soft_delete(cast.owner)
    network.account.team.add(cast.owner)  # named twice: owned and on its team
    for model in (Account, Contact, Opportunity, Interaction):
        lookup = account_lookup(model)
        for role, user in cast.all().items():
            accounts = restricting_accounts(model, user, action)
            a_list = role in {"owner", "team_member", "outsider"} and not (model is Account and action == "delete")
            assert (accounts is not None) == a_list, (model, role, action)
            if accounts is not None:
                assert trashed.pk not in {row["pk"] for row in accounts}
                listed = model.objects.filter(**{f"{lookup}__in" if lookup else "pk__in": accounts})
                assert set(listed.values_list("pk", flat=True)) == visible(model, user, action), (model, role)
    assert restricting_accounts(Account, User(), "view") is None  # not signed in
