"""The one role × capability table: what each role may do in general.

Record-level rules (which accounts an account manager sees) stay in ``permissions.restrict``; this
table answers "may this role do X at all". ``has(user, capability)`` reads it; the admin page
/settings/permissions/ shows it. A superuser holds every capability.
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
    "change_planning": (_("Change capacities, budgets and the adopted plan"), frozenset({A, SH})),
    "view_scenarios": (_("See planning scenarios"), frozenset({A, SH, MK, RO})),
    "recompute": (_("Take portfolio and consistency snapshots"), frozenset({A, SH})),
    "edit_settings": (_("Edit settings and catalogues"), frozenset({A})),
}
ROLES = (A, SH, AM, MK, RO)


def has(user, capability: str) -> bool:
    """Whether ``user`` (signed in and active) holds ``capability`` by role."""
    if capability not in TABLE:
        raise ValueError(f"unknown capability {capability!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser) or user.role in TABLE[capability][1]


def rows() -> list[dict]:
    """The table for display: one row per capability with a yes/no per role."""
    return [{"code": code, "label": label, "roles": [role in holders for role in ROLES]}
            for code, (label, holders) in TABLE.items()]
