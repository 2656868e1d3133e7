"""Comparing scenarios, and applying one as the plan."""

from __future__ import annotations

from decimal import Decimal, ROUND_HALF_UP

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundennetz.core import concurrency, freshness

from ..freshness import scenario_inputs
from ..models import AccountPlan, Period, Scenario, ScenarioManager
from ..signals import plan_applied
from .data import BATCH
from .scenarios import insert_rows


# --------------------------------------------------------------------------------------------------
# Comparing and applying
# --------------------------------------------------------------------------------------------------


COMPARED = (
    ("contribution_today", "money"), ("contribution", "money"), ("gain", "money"), ("gain_pct", "percent"),
    ("hours_available", "hours"), ("hours_required", "hours"), ("hours_recommended", "hours"),
    ("contacts_recommended", "number"), ("support_budget", "money"), ("support_recommended", "money"),
    ("pr_budget", "money"), ("pr_recommended", "money"), ("support_price", "price"), ("pr_price", "price"),
    ("max_hour_price", "money"), ("extra_manager_value", "money"),
)


def comparison(scenarios: list[Scenario]) -> dict:
    """Totals and hour prices of several scenarios side by side (two queries whatever their number)."""
    prices: dict[int, dict] = {s.pk: {} for s in scenarios}
    labels: dict[str, str] = {}
    for scenario_id, manager_id, label, price, hours, available, relief in ScenarioManager.objects.filter(
            scenario__in=[s.pk for s in scenarios]).order_by("order").values_list(
            "scenario_id", "manager_id", "label", "hour_price", "hours", "available_hours", "relief_hours"):
        key = str(manager_id) if manager_id else f"label:{label}"
        labels.setdefault(key, label)
        prices[scenario_id][key] = {"price": price, "hours": hours, "available": available + max(relief, 0.0)}
    for s in scenarios:
        values = [v["price"] for v in prices[s.pk].values()]
        s.max_hour_price = max(values) if values else None
    rows = []
    titles = dict(_comparison_titles())
    for name, kind in COMPARED:
        values = [getattr(s, name) for s in scenarios]
        rows.append({"name": name, "label": titles[name], "kind": kind, "values": values})
    managers = [{"label": label, "cells": [prices[s.pk].get(key) for s in scenarios]} for key, label in labels.items()]
    return {"scenarios": scenarios, "rows": rows, "managers": managers}


def _comparison_titles():
    return [
        ("contribution_today", _("Expected contribution, today's plan")),
        ("contribution", _("Expected contribution, recommended")),
        ("gain", _("Difference")), ("gain_pct", _("Difference in %")),
        ("hours_available", _("Hours available")), ("hours_required", _("Hours the strategies ask for")),
        ("hours_recommended", _("Hours recommended")), ("contacts_recommended", _("Contacts recommended")),
        ("support_budget", _("Sales-support budget")), ("support_recommended", _("Sales support recommended")),
        ("pr_budget", _("PR budget")), ("pr_recommended", _("PR recommended")),
        ("support_price", _("Shadow price of a sales-support franc")),
        ("pr_price", _("Shadow price of a PR franc")),
        ("max_hour_price", _("Highest shadow price of an hour")),
        ("extra_manager_value", _("Value of an additional account manager")),
    ]


def _money(value: float) -> Decimal:
    return Decimal(str(max(value, 0.0))).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def apply_scenario(scenario: Scenario, user) -> int:
    """Make the scenario's recommendation the plan of its period (replacing the plan applied before).
    Returns the number of account plans written."""
    if not scenario.is_computed:
        raise ValidationError(_("Only a computed scenario with a plan can be applied."))
    inputs_before = scenario_inputs()
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    who = user.pk if getattr(user, "is_authenticated", False) else None
    rows = scenario.account_results.values_list("account_id", "strategy", "hours", "contacts", "contact_hours",
                                                "support", "pr", "contribution")
    plans = [(stamp, stamp, who, who, account_id, scenario.period_id, scenario.pk, strategy,
              int(Decimal(str(max(contacts, 0.0))).quantize(Decimal("1"), rounding=ROUND_HALF_UP)), hours,
              contact_hours, _money(support), _money(pr), contribution)
             for account_id, strategy, hours, contacts, contact_hours, support, pr, contribution
             in rows.iterator(chunk_size=BATCH)]
    with transaction.atomic():
        # Two scenarios of one period applied at the same moment: one after the other (the period's row
        # is the lock), so that the plan is entirely one of them, never both half-way or a unique-key error.
        Period.objects.select_for_update().filter(pk=scenario.period_id).values_list("pk", flat=True).first()
        concurrency.lock_row(scenario)
        # One DELETE, not the ORM's signals per plan (a period holds a plan per account): counted by hand.
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {quote(AccountPlan._meta.db_table)} "
                           f"WHERE {quote(AccountPlan._meta.get_field('period').column)} = %s", [scenario.period_id])
        freshness.changed(AccountPlan)
        insert_rows(AccountPlan, ("created_at", "updated_at", "created_by_id", "updated_by_id", "account_id", "period_id",
                              "scenario_id", "strategy", "contacts", "hours", "contact_hours", "support", "pr",
                              "expected_contribution"), plans)
        Scenario.objects.filter(period_id=scenario.period_id, status=Scenario.Status.APPLIED).exclude(
            pk=scenario.pk).update(status=Scenario.Status.DRAFT)
        scenario.status = Scenario.Status.APPLIED
        scenario.applied_at, scenario.applied_by = now, user if who else None
        scenario.stamp(user)
        # Its recommendation is now the plan it was compared with: adopting it does not put it out of date
        # (other scenarios of the period now compare with another plan, and are).
        if scenario.inputs and scenario.inputs == inputs_before:
            scenario.inputs = scenario_inputs()
        scenario.save(update_fields=["status", "applied_at", "applied_by", "updated_at", "updated_by", "inputs"])
        plan_applied.send(sender=Scenario, period=scenario.period)
    return len(plans)
