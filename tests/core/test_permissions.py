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
