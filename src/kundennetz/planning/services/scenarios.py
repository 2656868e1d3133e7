"""Computing a scenario: the what-ifs applied, solved, conflicts explained, the result stored."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundennetz.accounts.models import Account
from kundennetz.core import concurrency
from kundennetz.core.formatting import format_money, format_number
from kundennetz.domain import allocation as al

from ..freshness import freshness_of, scenario_inputs
from ..wording import figure_refusal
from ..models import Period, Scenario, ScenarioAccount, ScenarioManager
from .data import BATCH, PlanData, build_problem, figures, load, response_curves
from .parameters import MILP_ACCOUNT_LIMIT, clean_parameters


OVERLOAD_TOLERANCE = 0.05  # hours
logger = logging.getLogger("kundennetz.planning")


# --------------------------------------------------------------------------------------------------
# Computing a scenario
# --------------------------------------------------------------------------------------------------


class PlanningError(Exception):
    """A scenario that has no plan: ``messages`` say why, in the user's language."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


@dataclass
class _Applied:
    problem: al.Problem
    labels: list[str]            # per manager of the problem
    users: list[int | None]      # per manager of the problem
    own_hours: np.ndarray        # per manager: their own capacity (without relief)
    relief: np.ndarray           # per manager: hours taken over by additional managers without accounts
    extra_rows: list[tuple[str, float, float]] = field(default_factory=list)  # (label, hours, hours used)
    typical: np.ndarray | None = None
    keys: list[str] | None = None


def _apply_what_ifs(data: PlanData, parameters: dict) -> _Applied:
    keys = list(data.keys)
    segment_of = np.array([code or "" for code in data.segment_codes], dtype=object)
    for change in parameters.get("segment_strategies", []):
        for i in np.flatnonzero(segment_of == change["segment"]).tolist():
            keys[i] = change["strategy"]
    base_fig = figures(data)
    problem = build_problem(data, base_fig)
    fig = base_fig
    if keys != data.keys:
        fig = figures(data, keys)
        new = response_curves(data, fig)
        for res in al.RESOURCES:
            old = getattr(problem, res)
            r = {f: np.broadcast_to(np.asarray(getattr(new[res], f), float), (data.n,)) for f in ("m", "b", "lo", "hi")}
            changed = np.flatnonzero((old.m != r["m"]) | (old.b != r["b"]) | (old.lo != r["lo"]) | (old.hi != r["hi"]))
            if changed.size:
                problem = al.change_accounts(problem, changed, res, **{f: v[changed] for f, v in r.items()})
        problem = problem.replace(contact_hours=fig.contact_hours)

    def manager_position(uid) -> int:
        return list(problem.manager_ids).index(str(uid))

    for move in parameters.get("moved_accounts", []):
        if "accounts" in move:
            idx = [data.index_of[a] for a in move["accounts"] if a in data.index_of]
        else:
            mask = problem.manager == manager_position(move["from"])
            if move.get("segment"):
                mask &= segment_of == move["segment"]
            idx = np.flatnonzero(mask).tolist()
        if idx:
            problem = al.move_accounts(problem, idx, manager_position(move["to"]))

    for removal in parameters.get("removed_managers", []):
        j = manager_position(removal["manager"])
        if removal.get("to"):
            target = manager_position(removal["to"])
        else:
            # The colleague with the most hours left over after their own minimums takes the accounts.
            need = np.bincount(problem.manager, problem.hours.lo, minlength=problem.n_managers)
            room = problem.manager_hours - need
            room[j] = -np.inf
            target = int(np.argmax(room))
        problem = al.remove_manager(problem, j, target)

    extra_with_accounts = [e for e in parameters.get("extra_managers", []) if e["accounts"]]
    for k, extra in enumerate(extra_with_accounts):
        idx = [data.index_of[a] for a in extra["accounts"] if a in data.index_of]
        problem = al.add_manager(problem, f"extra:{k}", extra["hours"], idx)
    names = {str(uid): name for uid, name in data.manager_names.items()}
    labels, users = [], []
    extra_names = {f"extra:{k}": e["name"] for k, e in enumerate(extra_with_accounts)}
    for mid in problem.manager_ids:
        if mid in extra_names:
            labels.append(extra_names[mid])
            users.append(None)
        else:
            labels.append(names.get(mid, mid))
            users.append(int(mid))
    own = problem.manager_hours.copy()
    relief = np.zeros(problem.n_managers)
    extra_rows = []
    for extra in parameters.get("extra_managers", []):
        if extra["accounts"]:
            continue
        # Without named accounts the newcomer relieves the colleagues whose hours are worth most: the
        # best any handover of accounts can do (the domain's value of an additional manager).
        worth = al.value_of_additional_manager(problem, extra["hours"])
        relief += worth.hours_by_manager
        problem = problem.replace(manager_hours=problem.manager_hours + worth.hours_by_manager)
        extra_rows.append((extra["name"], extra["hours"], float(worth.hours_by_manager.sum())))
    factor = parameters.get("budget_factor")
    if factor:
        problem = al.scale_budget(problem, factor["support"], factor["pr"])
    return _Applied(problem, labels, users, own, relief, extra_rows, fig.hours, keys)


def _solve(problem: al.Problem, visits: str) -> al.Allocation:
    if visits == "whole":
        return al.allocate(problem, whole_contacts=True)
    if visits == "at_least_one":
        if problem.n_accounts > MILP_ACCOUNT_LIMIT:
            raise PlanningError([_("“At least one visit or none” is solved exactly as a mixed-integer program, "
                                   "which takes too long for more than %(limit)s accounts; choose whole contacts "
                                   "instead.") % {"limit": format_number(MILP_ACCOUNT_LIMIT)}])
        try:
            return al.allocate_highs(problem, visits="at_least_one", time_limit=60.0)
        except RuntimeError:
            raise PlanningError([_("The solver found no plan in time. Try whole contacts instead.")]) from None
    return al.allocate(problem)


def conflict_message(conflict: dict, period_code: str = "") -> str:
    """A conflict stored with a scenario, in the user's language."""
    kind, name = conflict.get("kind"), conflict.get("label") or conflict.get("name", "")
    required, available = conflict.get("required", 0.0), conflict.get("available", 0.0)
    if kind == "manager":
        text = _("%(manager)s: the minimum hours of their accounts total %(required)s h, but only %(available)s h "
                 "are available.") % {"manager": name, "required": format_number(required, 1),
                                       "available": format_number(available, 1)}
        if conflict.get("no_capacity"):
            text += " " + _("No capacity has been entered for %(period)s.") % {"period": period_code}
        return text
    if kind == "budget":
        budget = _("Sales-support budget") if conflict.get("name") == "sales-support budget" else _("PR budget")
        return _("%(budget)s: the accounts' minimums total %(required)s, but only %(available)s are available.") % {
            "budget": budget, "required": format_money(required), "available": format_money(available)}
    if kind == "account":
        return _("%(account)s: no plan fits between its minimum (%(required)s) and its maximum (%(available)s).") % {
            "account": name, "required": format_number(required, 1), "available": format_number(available, 1)}
    return _("No assignment of accounts to account managers meets every minimum.")


def _account_names(data: PlanData) -> dict[str, str]:
    """Account id (as the problem names it) → name."""
    return {str(pk): name for pk, name in zip(data.account_ids.tolist(), data.account_names, strict=True)}


def _conflicts(exc: al.Infeasible, applied: _Applied | None, data: PlanData) -> list[dict]:
    label_of = {str(uid): name for uid, name in data.manager_names.items()}
    if applied is not None:
        label_of.update(zip(applied.problem.manager_ids, applied.labels, strict=True))
    capacity_of = {str(uid): bool(has) for uid, has in zip(data.manager_ids, data.has_capacity.tolist(), strict=True)}
    account_ids = [int(c.name) for c in exc.conflicts if c.kind == "account" and c.name.isdigit()]
    account_names = dict(Account.objects.filter(pk__in=account_ids).values_list("pk", "name")) if account_ids else {}
    out = []
    for c in exc.conflicts:
        item = {"kind": c.kind, "name": c.name, "required": float(c.required), "available": float(c.available)}
        if c.kind == "manager":
            item["label"] = label_of.get(c.name, c.name)
            item["no_capacity"] = c.name in capacity_of and not capacity_of[c.name]
        elif c.kind == "account":
            item["label"] = account_names.get(int(c.name), c.name) if c.name.isdigit() else c.name
        out.append(item)
    return out


def reset_totals(scenario: Scenario) -> None:
    """Forget the scenario's computed totals (its parameters changed or no plan meets them)."""
    for name in ("hours_available", "hours_required", "hours_today", "hours_recommended", "support_budget",
                 "support_today", "support_recommended", "pr_budget", "pr_today", "pr_recommended",
                 "contacts_today", "contacts_recommended", "contribution_today", "contribution", "support_price",
                 "pr_price", "extra_manager_hours", "extra_manager_value", "seconds"):
        setattr(scenario, name, None)
    scenario.account_count = 0
    scenario.method = ""


def draft_copy(scenario: Scenario, user=None) -> Scenario:
    """A new draft with the what-ifs of `scenario`, named after it ("Basis (2)", "Basis (3)", …)."""
    base = scenario.name
    taken = set(Scenario.objects.filter(name__startswith=base).values_list("name", flat=True))
    number = 2
    while f"{base} ({number})"[:120] in taken:
        number += 1
    name = f"{base} ({number})"
    if len(name) > 120:
        name = f"{base[:120 - len(f' ({number})')]} ({number})"
    copy = Scenario(name=name, period=scenario.period, parameters=scenario.parameters, status=Scenario.Status.DRAFT)
    copy.stamp(user)
    copy.save()
    return copy


def compute_scenario(scenario: Scenario, user=None) -> Scenario:
    """Solve the scenario and keep its result (all or nothing); returns the scenario computed. Raises
    PlanningError when no plan meets every minimum; the conflicts are kept with the scenario so that its
    page names them.

    The applied scenario is the plan of its period and is never changed by computing: computing it again
    makes a new draft with the same what-ifs (returned), and the plan stays until another is applied."""
    if scenario.status == Scenario.Status.APPLIED:
        scenario = draft_copy(scenario, user)
    started = time.perf_counter()
    # Taken before reading: a change while solving leaves the scenario out of date rather than hiding it.
    inputs = scenario_inputs()
    period = scenario.period
    data = load(period)
    parameters = clean_parameters(scenario.parameters, period, data.strategies)
    applied = None
    try:
        applied = _apply_what_ifs(data, parameters)
        allocation = _solve(applied.problem, parameters.get("visits", "continuous"))
    except al.Infeasible as exc:
        conflicts = _conflicts(exc, applied, data)
        with transaction.atomic():
            concurrency.lock_row(scenario)  # two computes of one scenario: one after the other
            scenario.account_results.all().delete()
            scenario.manager_results.all().delete()
            reset_totals(scenario)
            scenario.conflicts = conflicts
            scenario.computed_at, scenario.inputs = timezone.now(), inputs
            scenario.stamp(user)
            scenario.save()
        error = PlanningError([conflict_message(c, period.code) for c in conflicts])
        error.scenario = scenario  # the scenario that keeps the conflicts (a new draft when the plan was asked)
        raise error from None
    except al.FigureError as exc:
        # The domain refuses figures it cannot plan with (e.g. an account's curve); say which.
        reason = figure_refusal(exc, _account_names(data), {str(k): v for k, v in data.manager_names.items()},
                                data.account_names)
        raise PlanningError([_("The figures cannot be planned with: %(reason)s") % {"reason": reason}]) from None
    except ValueError:
        # A refusal without a code (a what-if naming someone the period no longer holds, say): the reader
        # still gets a sentence in their language, the developers the details in the log.
        logger.exception("Scenario %s cannot be computed", scenario.pk)
        raise PlanningError([_("The figures of this period cannot be planned with; please check the accounts' "
                               "figures, the capacities and the what-ifs.")]) from None
    problem = applied.problem
    typical_hours = float(np.mean(data.capacity[data.capacity > 0])) if np.any(data.capacity > 0) else 0.0
    extra_hours = parameters.get("extra_manager_hours") or typical_hours
    extra_value = None
    if extra_hours > 0 and problem.n_managers:
        base = allocation if allocation.method == "multipliers" else None
        extra_value = al.value_of_additional_manager(problem, extra_hours, base=base).value
    _store(scenario, data, applied, allocation, extra_hours if extra_value is not None else None, extra_value, user,
           started, inputs)
    return scenario


RESULT_NUMBERS = ("contact_hours", "hours_min", "hours_max", "hours_today", "hours", "contacts_today", "contacts",
                  "support_today", "support", "pr_today", "pr", "contribution_today", "contribution")


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows straight into the table: for tens of thousands of result rows the ORM's objects cost ten
    times the writing itself."""
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])


def _store(scenario, data: PlanData, applied: _Applied, allocation: al.Allocation, extra_hours, extra_value, user,
           started, inputs: str = "") -> None:
    p = allocation.problem
    n, m = p.n_accounts, p.n_managers
    contacts_today = p.hours.current / p.contact_hours
    contacts = allocation.contacts
    users, labels = applied.users, applied.labels
    cols = {name: np.asarray(values, float).tolist() for name, values in {
        "contact_hours": p.contact_hours, "hours_min": p.hours.lo, "hours_max": np.minimum(p.hours.hi, 1e12),
        "hours_today": p.hours.current, "hours": allocation.hours, "contacts_today": contacts_today,
        "contacts": contacts, "support_today": p.support.current, "support": allocation.support,
        "pr_today": p.pr.current, "pr": allocation.pr, "contribution_today": allocation.current_account_contribution,
        "contribution": allocation.account_contribution}.items()}
    manager_of = p.manager.tolist()
    keys = applied.keys or data.keys
    account_rows = list(zip(
        [scenario.pk] * n, data.account_ids.tolist(), [users[j] for j in manager_of],
        ["" if users[j] is not None else labels[j] for j in manager_of], keys,
        *(cols[name] for name in RESULT_NUMBERS), strict=True))
    counts = np.bincount(p.manager, minlength=m)
    required = np.bincount(p.manager, applied.typical, minlength=m)
    minimum = np.bincount(p.manager, p.hours.lo, minlength=m)
    load_today, load = allocation.current_manager_load, allocation.manager_load
    manager_rows = [ScenarioManager(
        scenario=scenario, manager_id=users[j], label=labels[j], order=j, account_count=int(counts[j]),
        available_hours=float(applied.own_hours[j]), required_hours=float(required[j]), minimum_hours=float(minimum[j]),
        hours_today=float(load_today[j]), hours=float(load[j]), relief_hours=float(applied.relief[j]),
        hour_price=float(allocation.hour_price[j])) for j in range(m)]
    for k, (label, hours, used) in enumerate(applied.extra_rows):
        manager_rows.append(ScenarioManager(
            scenario=scenario, manager_id=None, label=label, order=m + k, account_count=0, available_hours=hours,
            required_hours=0.0, minimum_hours=0.0, hours_today=0.0, hours=used, relief_hours=0.0, hour_price=0.0))
    with transaction.atomic():
        concurrency.lock_row(scenario)  # two computes of one scenario: one after the other, the last one kept
        scenario.account_results.all().delete()
        scenario.manager_results.all().delete()
        insert_rows(ScenarioAccount, ("scenario_id", "account_id", "manager_id", "manager_label", "strategy",
                                  *RESULT_NUMBERS), account_rows)
        ScenarioManager.objects.bulk_create(manager_rows, batch_size=BATCH)
        scenario.conflicts = []
        scenario.method = allocation.method
        scenario.account_count = n
        scenario.hours_available = float(applied.own_hours.sum() + sum(h for _l, h, _u in applied.extra_rows))
        scenario.hours_required = float(applied.typical.sum())
        scenario.hours_today = float(p.hours.current.sum())
        scenario.hours_recommended = float(allocation.hours.sum())
        scenario.support_budget, scenario.pr_budget = p.support_budget, p.pr_budget
        scenario.support_today, scenario.pr_today = float(p.support.current.sum()), float(p.pr.current.sum())
        scenario.support_recommended, scenario.pr_recommended = float(allocation.support.sum()), float(allocation.pr.sum())
        scenario.contacts_today, scenario.contacts_recommended = float(contacts_today.sum()), float(contacts.sum())
        scenario.contribution_today, scenario.contribution = allocation.current_contribution, allocation.contribution
        scenario.support_price, scenario.pr_price = allocation.support_price, allocation.pr_price
        scenario.extra_manager_hours, scenario.extra_manager_value = extra_hours, extra_value
        scenario.computed_at, scenario.inputs = timezone.now(), inputs
        scenario.seconds = round(time.perf_counter() - started, 3)
        scenario.stamp(user)
        scenario.save()


def create_scenario(name: str, period: Period, parameters, user, *, compute: bool = True) -> Scenario:
    """A new scenario, validated, computed right away unless ``compute`` is False. A scenario that finds
    no plan is still kept (with its conflicts); the PlanningError tells the caller why."""
    name = (name or "").strip()
    scenario = Scenario(name=name, period=period)
    cleaned = clean_parameters(parameters, period)
    scenario.parameters = cleaned
    scenario.stamp(user)
    scenario.full_clean()
    scenario.save()
    if compute:
        compute_scenario(scenario, user)
    return scenario


def refresh_if_stale(today=None) -> bool:
    """Compute again every draft scenario whose inputs changed since; True when any was (the demo's last
    step). The applied one stays as adopted (computing it again would make a new draft)."""
    current = scenario_inputs()
    stale = [s for s in Scenario.objects.filter(status=Scenario.Status.DRAFT, computed_at__isnull=False)
             .select_related("period") if freshness_of(s, current=current).out_of_date]
    for scenario in stale:
        try:
            compute_scenario(scenario)
        except PlanningError:
            pass  # the scenario keeps its conflicts, computed from the inputs as they are now
    return bool(stale)
