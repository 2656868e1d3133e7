"""The one door to the network's records: `restrict(queryset, user, action)` decides which records a
user may act on, and `get_for(queryset, user, pk, action)` loads one record through it.

What a role may do at all is the capability table's (`core.capabilities`); this module turns it into
record-level rules. Roles that change every account: everything. Roles that see the whole network: see
everything, change nothing. Account managers: the accounts they own or are on the team of, and what hangs
off those accounts; only the owner trashes an account (or sets its team, see
`accounts.permissions.may_change_team`).
Every restricted model names the path to its account in `account_lookup` ("" for the account itself);
what hangs off an account in the trash is hidden with it, for every user.

Records that hang off no account (jobs, tokens, imports, planning, the portfolio's model and snapshots,
core messages, catalogues) declare `account_lookup = None` and keep their rule beside them, as a
classmethod `restrict_records(queryset, user, action) -> QuerySet` (usually one line built from
`by_role`, `own` and the apps' role functions); `restrict` asks it once the user is signed in. A model
with neither is an error, so that no record slips through unruled.
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .capabilities import has

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ACTIONS = frozenset({VIEW, ADD, CHANGE, DELETE})
NOT_RULED = object()


# What `restrict` lets a user act on, before it becomes a filter (see `_scope`).
NOTHING, EVERYTHING, OWNED, OWN_OR_TEAM = "nothing", "everything", "owned", "own_or_team"


def _scope(user, action: str, lookup: str) -> str:
    """The rule for `user` and `action` on records whose path to their account is `lookup`."""
    if not is_signed_in(user):
        return NOTHING
    if has(user, "change_any_account"):
        return EVERYTHING
    if has(user, "view_network"):
        return EVERYTHING if action == VIEW else NOTHING
    if not has(user, "view_own_accounts"):
        return NOTHING
    if action == DELETE and not lookup:
        # Trashing an account (with its people and deals) is the owner's decision, not a team member's.
        return OWNED
    return OWN_OR_TEAM


def restrict(queryset: QuerySet, user, action: str = VIEW, *, with_trashed_accounts: bool = False) -> QuerySet:
    """The part of `queryset` that `user` may act on with `action`.

    Records of an account in the trash are left out (they went to the trash with it); only the trash
    itself asks for them with `with_trashed_accounts`.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    lookup = account_lookup(queryset.model)
    if lookup is None:
        # Belongs to no account: the model's own rule decides (trashed accounts do not concern it).
        if not is_signed_in(user):
            return queryset.none()
        return queryset.model.restrict_records(queryset, user, action)
    scope = _scope(user, action, lookup)
    if scope == OWN_OR_TEAM:
        # The list of ids leaves out accounts in the trash itself: no join back to the accounts.
        ids = worked_on_by(user, live=not with_trashed_accounts)
        return queryset.filter(**{f"{lookup}__in" if lookup else "pk__in": ids})
    if not with_trashed_accounts:
        queryset = of_live_accounts(queryset)
    if scope == NOTHING:
        return queryset.none()
    if scope == EVERYTHING:
        return queryset
    return queryset.filter(owner=user)  # OWNED


def worked_on_by(user, *, live: bool = True) -> QuerySet:
    """The ids of the accounts `user` owns or is on the team of, as a subquery; with `live` (the default)
    only those not in the trash.

    One list of ids (`owned UNION ALL team`) rather than `owner = me OR id IN (team)`: the OR keeps the
    database from starting at the user's few thousand accounts, so at a million accounts it walks a whole
    sort index and throws away 99.5 % of it; a list of ids it can join first, through the owner index and
    the team table's user index."""
    account = apps.get_model("accounts", "Account")
    owned = account.all_objects.filter(owner=user)
    team = account.team.through.objects.filter(user=user)
    if live:
        owned, team = owned.filter(deleted_at__isnull=True), team.filter(account__deleted_at__isnull=True)
    return owned.order_by().values("pk").union(team.order_by().values("account_id"), all=True)


def restricting_accounts(model, user, action: str = VIEW) -> QuerySet | None:
    """The ids of the accounts `restrict` narrows `user`'s records of `model` to when its rule for them
    is a list of accounts (an account manager's own and team accounts, `worked_on_by`), as a subquery that
    may name an account twice; None when the rule is not such a list (they see everything, or nothing), or
    `model` hangs off no account."""
    lookup = account_lookup(model)
    if lookup is None or _scope(user, action, lookup) != OWN_OR_TEAM:
        return None
    return worked_on_by(user)


def account_lookup(model) -> str | None:
    """The path from `model` to its account ("" for the account itself), or None for a model that hangs
    off no account and rules its records itself (`restrict_records`). ValueError for a model with
    neither: `restrict` cannot tell who may see its records."""
    lookup = getattr(model, "account_lookup", NOT_RULED)
    if lookup is None and callable(getattr(model, "restrict_records", None)):
        return None
    if isinstance(lookup, str):
        return lookup
    raise ValueError(f"{model._meta.label} has no rule: give it an account_lookup, or account_lookup = None "
                     "and a classmethod restrict_records(queryset, user, action)")


def of_live_accounts(queryset: QuerySet) -> QuerySet:
    """The records of `queryset` whose account is not in the trash: what hangs off a trashed account
    went to the trash with it. `restrict` applies it; computations that run for nobody in particular
    (snapshots, commands) call it themselves."""
    lookup = account_lookup(queryset.model)
    if not lookup:
        return queryset
    if connections[queryset.db].vendor == "sqlite":
        # Not "joined account not in the trash": with its statistics, SQLite then first builds a Bloom
        # filter over every live account (a quarter of a second at a million accounts, before a page of 25
        # interactions). The few accounts in the trash are listed once and each row checked against them.
        account = apps.get_model("accounts", "Account")
        trash = account.all_objects.using(queryset.db).filter(deleted_at__isnull=False).order_by().values("pk")
        return queryset.exclude(**{f"{lookup}__in": trash})
    return queryset.filter(**{f"{lookup}__deleted_at__isnull": True})


def not_found(model) -> Http404:
    """The answer for a record the user may not see: for them it does not exist."""
    return Http404(_("No %(verbose_name)s found matching the query") % {"verbose_name": model._meta.verbose_name})


def refused(action: str) -> PermissionDenied:
    """The answer for an action on a record the user sees but may not act on that way."""
    if action == DELETE:
        return PermissionDenied(_("You may not delete this record."))
    if action == ADD:
        return PermissionDenied(_("You may not add records to this account."))
    return PermissionDenied(_("You may not change this record."))


def get_for(queryset: QuerySet, user, pk, action: str = VIEW, **restrict_options):
    """The record `pk` of `queryset` if `user` may act on it with `action`.

    Http404 when the user cannot see it (or it does not exist: the two look the same), PermissionDenied
    (403) when they see it but may not `action` it. Pages and API endpoints that load one record by id
    all come through here; the API turns both into JSON answers.
    """
    try:
        key = int(pk)
    except (TypeError, ValueError):
        key = None
    if key is None or not 0 < key < 2**63:
        # Not an id any record could have (a word, a number too large for the column).
        raise not_found(queryset.model)
    record = restrict(queryset, user, VIEW, **restrict_options).filter(pk=key).first()
    if record is None:
        raise not_found(queryset.model)
    if action != VIEW and not restrict(queryset, user, action, **restrict_options).filter(pk=key).exists():
        raise refused(action)
    return record


# --- the building blocks of the rules of records that hang off no account ------------------------------


def nobody(user) -> bool:
    """For `by_role`: no role does this through a page or the API (the machinery does it for them)."""
    return False


def by_role(queryset: QuerySet, user, action: str, *, view, change, add=None, delete=None) -> QuerySet:
    """The rule of records that belong to the whole firm, not to a person or an account: all of them or
    none, by role. `view`, `change`, `add` and `delete` are the role functions that allow each action
    (`is_signed_in` for everyone, `nobody` for no one); `add` and `delete` default to `change`."""
    allowed = {VIEW: view, CHANGE: change, ADD: add or change, DELETE: delete or change}[action]
    return queryset if allowed(user) else queryset.none()


def own(queryset: QuerySet, user, field: str) -> QuerySet:
    """The records whose `field` names `user`: their own jobs, tokens, imports, mappings."""
    return queryset.filter(**{field: user})


def is_signed_in(user) -> bool:
    """An authenticated, active user: the first condition of every rule."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def sees_every_account(user) -> bool:
    """Whether `user` sees every account that is not in the trash (what `restrict` leaves them for VIEW):
    figures counted over the whole network then hold for them less the trash."""
    return _scope(user, VIEW, "") == EVERYTHING


def sees_own_accounts_only(user) -> bool:
    """An account manager: sees the accounts they own or are on the team of, not the whole network."""
    return has(user, "view_own_accounts") and not has(user, "view_network")


def can(user, action: str, obj) -> bool:
    """Whether `user` may act on one record (a query, so that the rule stays in `restrict`)."""
    model = type(obj)
    manager = getattr(model, "all_objects", model._default_manager)
    return restrict(manager.filter(pk=obj.pk), user, action).exists()


def can_on_seen(user, action: str, obj) -> bool:
    """`can` for a record just loaded through `restrict(…, VIEW)` (or `get_for`), or the account of one.

    Where the rule for `action` is the rule that let the user see it, or lets them act on everything, the
    answer is known without asking the database again; otherwise `can` asks."""
    lookup = account_lookup(type(obj))
    if lookup is None:
        return can(user, action, obj)
    scope = _scope(user, action, lookup)
    if scope == NOTHING:
        return False
    if scope == EVERYTHING or scope == _scope(user, VIEW, lookup):
        return True
    return can(user, action, obj)


def can_create(user) -> bool:
    """Whether `user` may create records of the network at all (which accounts: `restrict(..., ADD)`)."""
    return has(user, "create_records")


def may_edit_communication(user) -> bool:
    """Marketing owns the company's values, core messages and value propositions; an admin may step in."""
    return has(user, "edit_communication")


def can_manage_trash(user) -> bool:
    """Restoring from the trash is for admin and sales head."""
    return has(user, "manage_trash")


def may_edit_settings(user) -> bool:
    """Settings (tunables) and the permission table's page are for admins."""
    return has(user, "edit_settings")
