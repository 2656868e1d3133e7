"""The one role × capability table: what each role may do in general.

This table is the only place that says which role may do what; every role rule (``User.is_managing``,
``permissions.restrict``, the apps' ``permissions`` modules, the admin) asks it through ``has`` or
``holders``. Record-level rules (which accounts an account manager sees) stay in
``permissions.restrict``. The admin page /settings/permissions/ shows the table. A superuser holds every
capability except the ones that describe a person's job rather than a right (``JOB_CAPABILITIES``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .roles import Role

A, SH, AM, MK, RO = Role.ADMIN, Role.SALES_HEAD, Role.ACCOUNT_MANAGER, Role.MARKETING, Role.READ_ONLY

# capability: (label, roles that hold it)
TABLE: dict[str, tuple[object, frozenset]] = {
    "view_network": (_("See every account and what hangs off it"), frozenset({A, SH, MK, RO})),
    "view_own_accounts": (_("See and change own and team accounts"), frozenset({A, SH, AM})),
    "change_any_account": (_("Change every account and what hangs off it"), frozenset({A, SH})),
    "create_records": (_("Create accounts, contacts and opportunities"), frozenset({A, SH, AM})),
    "choose_owner": (_("Hand records to any account manager"), frozenset({A, SH})),
    "decide_pursuit": (_("Decide on pursuing an opportunity (not one's own, four eyes)"), frozenset({A, SH})),
    "edit_communication": (_("Edit values, core messages and value propositions"), frozenset({A, MK})),
    "manage_trash": (_("Restore records from the trash"), frozenset({A, SH})),
    "undo_imports": (_("Undo an import and see every import"), frozenset({A, SH})),
    "view_all_jobs": (_("See everyone's background jobs"), frozenset({A})),
    "manage_portfolio": (_("Edit the scoring model and strategies, override an account's strategy"),
                         frozenset({A, SH})),
    "change_planning": (_("Change capacities, budgets and the adopted plan"), frozenset({A, SH})),
    "view_scenarios": (_("See planning scenarios"), frozenset({A, SH, MK, RO})),
    "fit_win_model": (_("Fit the win model and set the costs of a bid"), frozenset({A, SH})),
    "see_management": (_("See the management view of how the network is tended"), frozenset({A, SH})),
    "recompute": (_("Take portfolio and consistency snapshots"), frozenset({A, SH})),
    "plan_own_time": (_("Own time is planned as a capacity"), frozenset({SH, AM})),
    "edit_settings": (_("Edit settings and catalogues"), frozenset({A})),
}
ROLES = (A, SH, AM, MK, RO)
# Capabilities that say what a person's job is, not what they are allowed: a superuser's rights do not
# make them an account manager whose time is planned.
JOB_CAPABILITIES = frozenset({"plan_own_time"})


def _known(capability: str) -> None:
    if capability not in TABLE:
        raise ValueError(f"unknown capability {capability!r}")


def holders(capability: str) -> frozenset:
    """The roles that hold ``capability`` (for database filters such as ``role__in``)."""
    _known(capability)
    return TABLE[capability][1]


def has(user, capability: str) -> bool:
    """Whether ``user`` (signed in and active) holds ``capability`` by role."""
    _known(capability)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser and capability not in JOB_CAPABILITIES:
        return True
    return user.role in TABLE[capability][1]


def rows() -> list[dict]:
    """The table for display: one row per capability with a yes/no per role."""
    return [{"code": code, "label": label, "roles": [role in holders for role in ROLES]}
            for code, (label, holders) in TABLE.items()]
