"""Web pages of the portfolio: the picture, the table, the scoring model, snapshots, an account's
strategy override and manual ratings, and marketing's value propositions.

Rules live in the domain and in ``services``; who may do what in ``permissions``. A record outside the
user's reach is a 404 (its existence stays private), a forbidden action on a visible one a 403.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kundennetz.accounts.models import Account
from kundennetz.core.forms import Conflict
from kundennetz.core.models import StaleVersion
from kundennetz.core.paging import CappedPaginator
from kundennetz.core.permissions import CHANGE, DELETE, get_for, not_found, restrict, sees_own_accounts_only
from kundennetz.domain.portfolio_svg import DEFAULT_MAX_DOTS

from . import queries, services, tasks
from .forms import (
    CareForm,
    ModelJsonForm,
    ModelSettingsForm,
    OverrideForm,
    PositionFilterForm,
    RatingForm,
    SnapshotForm,
    ValuePropositionForm,
    edited_definition,
)
from .models import ManualRating, PortfolioSnapshot, ScoringModel, StrategyOverride, ValueProposition, current_language
from .permissions import can_edit_value_propositions, can_manage_portfolio, can_override, can_rate

# A few thousand dots still read as single accounts; above, the picture shows density (see queries.picture).
MAX_DOTS = min(DEFAULT_MAX_DOTS, 2_000)


def _account(request, pk) -> Account:
    return get_for(Account.objects.select_related("segment", "owner"), request.user, pk)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _filter_form(request, snapshot):
    form = PositionFilterForm(request.GET or None, model=snapshot.model)
    return form, form.filters() if request.GET else {}


def _filtered(request, snapshot):
    form, filters = _filter_form(request, snapshot)
    queryset = queries.apply_filters(queries.positions(request.user, snapshot), filters, user=request.user,
                                     model=snapshot.model)
    return form, filters, queryset


def _selection(request, snapshot):
    form, filters = _filter_form(request, snapshot)
    return form, queries.select(request.user, snapshot, filters)


def _no_snapshot(request):
    return render(request, "portfolio/no_snapshot.html", {
        "can_manage": can_manage_portfolio(request.user), "snapshot_form": SnapshotForm(),
    })


@login_required
@require_safe
def portfolio(request):
    snapshot = PortfolioSnapshot.current()
    if snapshot is None:
        return _no_snapshot(request)
    form, selection = _selection(request, snapshot)
    found = queries.counts(selection)
    svg, dot_count, aggregated = queries.picture(selection, found, max_dots=MAX_DOTS)
    moves, moved = queries.movements(selection, found)
    return render(request, "portfolio/portfolio.html", {
        "snapshot": snapshot,
        "previous": selection.previous,
        "moves": moves,
        "moved": moved,
        "filter": form,
        "svg": svg,
        "dot_count": dot_count,
        "aggregated": aggregated,
        "max_dots": MAX_DOTS,
        "cells": queries.cell_counts(snapshot.model, found.counts.cells),
        "query": request.GET.urlencode(),
        "can_manage": can_manage_portfolio(request.user),
        "is_account_manager": sees_own_accounts_only(request.user),
    })


@login_required
@require_safe
def portfolio_svg(request):
    snapshot = PortfolioSnapshot.current()
    if snapshot is None:
        raise Http404(_("There is no portfolio snapshot yet."))
    _form, selection = _selection(request, snapshot)
    svg, _count, _aggregated = queries.picture(selection, queries.counts(selection), max_dots=MAX_DOTS,
                                               id_prefix="portfolio", xml_declaration=True)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="portfolio-{snapshot.period}.svg"'
    return response


@login_required
@require_safe
def position_table(request):
    snapshot = PortfolioSnapshot.current()
    if snapshot is None:
        return _no_snapshot(request)
    form, filters, queryset = _filtered(request, snapshot)
    sort = request.GET.get("sort") or "rank"
    if sort not in queries.ORDERINGS:
        sort = "rank"
    ordered = queries.with_accounts(queryset).order_by(*queries.ORDERINGS[sort])
    # One person's book (a few thousand positions) is sorted by the database either way: ids first, so that
    # it sorts the positions alone and joins the accounts of the page's rows only.
    page = CappedPaginator(ordered, settings.KUNDENNETZ_PAGE_SIZE,
                           defer_from=0 if queries.one_book(request.user, filters) else None).get_page(
        request.GET.get("page"))
    rows = queries.decorate(page.object_list, snapshot.model)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("sort", None)
    return render(request, "portfolio/table.html", {
        "snapshot": snapshot, "filter": form, "page": page, "rows": rows, "sort": sort,
        "query": params.urlencode(),
        "sorts": [("rank", _("Rank")), ("name", _("Account")), ("-attractiveness", _("Attractiveness")),
                  ("-position", _("Our position"))],
        "can_manage": can_manage_portfolio(request.user),
    })


# --- the scoring model -----------------------------------------------------------------------------


@login_required
@require_safe
def model_page(request, version=None):
    records = restrict(ScoringModel.objects.all(), request.user)
    record = records.filter(version=version).first() if version else records.first()
    if record is None and version:
        raise not_found(ScoringModel)
    if record is None:
        raise Http404(_("There is no scoring model yet."))
    model = record.rules
    lang = current_language()
    return render(request, "portfolio/model.html", {
        "record": record,
        "model": model,
        "lang": lang,
        "versions": records.select_related("created_by")[:50],
        "is_current": record.pk == records.first().pk,
        "axes": _axes(model, lang),
        "grids": _grids(model, lang),
        "strategies": _strategies(model, lang),
        "can_manage": can_manage_portfolio(request.user),
        "figures": {
            "min_coverage": model.min_coverage * 100, "abc_a": model.abc.a * 100, "abc_b": model.abc.b * 100,
            "weight_attractiveness": model.combined_weights[0], "weight_position": model.combined_weights[1],
        },
    })


def _scale_text(scale, lang) -> str:
    from kundennetz.core.formatting import format_number

    if scale.kind == "thresholds":
        return " / ".join(format_number(v, 2).rstrip("0").rstrip(".,") for v in scale.thresholds)
    if scale.kind == "linear":
        return _("linear from %(low)s (1 point) to %(high)s (5 points)") % {
            "low": format_number(scale.minimum, 0), "high": format_number(scale.maximum, 0)}
    return _("rating 1–5")


def _source_text(criterion) -> str:
    kind, _sep, name = criterion.source.partition(":")
    if kind == "field":
        text = _("field “%(name)s” of the account") % {"name": name}
    elif kind == "computed":
        text = {
            "share_of_wallet_pct": _("computed: revenue with us ÷ potential"),
            "win_rate_pct": _("computed: won ÷ (won + lost) opportunities"),
            "years_as_customer": _("computed: years since the first order"),
            "relationship_strength": _("computed: contacts by role (and interactions)"),
        }.get(name, name)
    else:
        text = _("manual rating")
    if criterion.allow_manual:
        text += " " + _("(a manual rating takes precedence)")
    return text


def _axes(model, lang):
    result = []
    for axis in model.axes:
        total = sum(c.weight for c in axis.criteria) or 1
        result.append({
            "name": axis.name_de if lang == "de" else axis.name_en,
            "criteria": [{
                "key": c.key, "name": c.name_de if lang == "de" else c.name_en,
                "description": c.description_de if lang == "de" else c.description_en,
                "weight": c.weight, "share": c.weight / total * 100, "source": _source_text(c),
                "scale": _scale_text(c.scale, lang), "manual": c.takes_manual,
            } for c in axis.criteria],
        })
    return result


def _grids(model, lang):
    grids = []
    for key, grid in model.grids.items():
        bands_a, bands_p = len(grid.attractiveness_thresholds) + 1, len(grid.position_thresholds) + 1
        by_bands = {(c.attractiveness_band, c.position_band): c for c in grid.cells}
        rows = []
        for a in reversed(range(bands_a)):
            rows.append([{
                "name": by_bands[(a, p)].name(lang),
                "strategy": model.strategies[by_bands[(a, p)].strategy].name(lang),
                "color": model.strategies[by_bands[(a, p)].strategy].color,
            } for p in range(bands_p)])
        grids.append({"key": key, "name": grid.name_de if lang == "de" else grid.name_en,
                      "in_use": key == model.grid_key, "rows": rows,
                      "attractiveness_thresholds": grid.attractiveness_thresholds,
                      "position_thresholds": grid.position_thresholds})
    return grids


def _strategies(model, lang):
    from kundennetz.accounts.models import Contact

    role_names = dict(Contact.BuyingRole.choices)
    channel_names = {"personal": _("personal"), "mixed": _("mixed"), "digital": _("digital")}
    used = {c.strategy for c in model.grid.cells}
    return [{
        "key": key, "name": s.name(lang), "description": s.description(lang), "color": s.color,
        "care": s.care, "in_grid": key in used, "roles": [role_names.get(r, r) for r in s.care.roles],
        "channel": channel_names.get(s.care.channel, s.care.channel),
        "sales_support_pct": s.care.sales_support_share * 100, "pr_pct": s.care.pr_share * 100,
    } for key, s in model.strategies.items()]


@login_required
def model_edit(request):
    _require(can_manage_portfolio(request.user))
    record = ScoringModel.current()
    if record is None:
        raise Http404(_("There is no scoring model yet."))
    model = record.rules
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if data else None
    settings_form = ModelSettingsForm(data if action == "settings" else None, model=model)
    care_forms = [CareForm(data if action == "settings" else None, strategy=s) for s in model.strategies.values()]
    json_form = ModelJsonForm(data if action == "json" else None,
                              initial={"definition": _pretty(record.definition)})
    if action == "settings" and settings_form.is_valid() and all(f.is_valid() for f in care_forms):
        definition = settings_form.apply(edited_definition(model))
        for form in care_forms:
            form.apply(definition)
        if _publish(request, settings_form, "comment", definition, settings_form.cleaned_data["comment"]):
            return redirect("portfolio:model")
    elif action == "json" and json_form.is_valid():
        if _publish(request, json_form, "definition", json_form.cleaned_data["definition"],
                    json_form.cleaned_data["comment"]):
            return redirect("portfolio:model")
    return render(request, "portfolio/model_edit.html", {
        "record": record, "settings_form": settings_form, "care_forms": care_forms, "json_form": json_form,
    })


def _pretty(definition) -> str:
    return json.dumps(definition, ensure_ascii=False, indent=2)


def _based_on(request) -> int | None:
    """The model version the page showed (none from older pages: then no check, as before)."""
    try:
        return int(request.POST.get("based_on", ""))
    except ValueError:
        return None


def _publish(request, form, field, definition, comment) -> bool:
    try:
        record = services.publish_model(definition, request.user, comment, based_on=_based_on(request))
    except ValidationError as exc:
        form.add_error(None if field == "comment" else field, exc.messages)
        return False
    except services.StaleModel as stale:
        _show_conflicts(form, stale.current, definition)
        return False
    messages.success(request, _("Version %(version)s of the scoring model is now in force. Take a new snapshot "
                                "to apply it to the portfolio.") % {"version": record.version})
    return True


def _show_conflicts(form, current, yours: dict) -> None:
    """Where the version saved in the meantime and the user's differ (top-level parts of the model);
    the page is shown again based on that version, so saving once more takes over, knowingly."""
    theirs = current.definition
    keys = sorted(k for k in set(theirs) | set(yours)
                  if k not in ("version", "is_default") and theirs.get(k) != yours.get(k))
    form.conflicts = [Conflict(name=k, label=k, theirs=json.dumps(theirs.get(k), ensure_ascii=False)[:500],
                               yours=json.dumps(yours.get(k), ensure_ascii=False)[:500]) for k in keys]
    form.conflict_record = SimpleNamespace(updated_by=current.created_by, updated_at=current.created_at)
    form.add_error(None, _("Someone else saved version %(version)s of the scoring model while you were editing "
                           "it. Compare below: keep theirs, or save yours again to replace theirs.")
                   % {"version": current.version})


# --- snapshots -------------------------------------------------------------------------------------


@login_required
def snapshots(request):
    can_manage = can_manage_portfolio(request.user)
    form = SnapshotForm(request.POST or None)
    if request.method == "POST":
        _require(can_manage)
        if form.is_valid():
            # Scoring every account grows with the network: a background job (progress on its page).
            try:
                job = tasks.start_snapshot(request.user, period=form.cleaned_data["period"])
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return redirect(job)
    records = restrict(PortfolioSnapshot.objects.select_related("scoring_model", "created_by"), request.user).in_order()
    return render(request, "portfolio/snapshots.html", {"snapshots": records[:100], "form": form,
                                                        "can_manage": can_manage})


# --- one account ---------------------------------------------------------------------------------


@login_required
def override(request, pk):
    account = _account(request, pk)
    _require(can_override(request.user, account))
    record = ScoringModel.current()
    current = StrategyOverride.objects.filter(account=account).first()
    initial = {"strategy": current.strategy, "reason": current.reason} if current else {}
    initial["version"] = current.version if current else 0
    form = OverrideForm(request.POST or None, model=record.rules, initial=initial)
    if request.method == "POST" and request.POST.get("action") == "remove":
        if services.clear_override(account, request.user):
            messages.success(request, _("The override was removed; the account follows its cell again."))
        return redirect(account)
    if request.method == "POST" and form.is_valid() and not _override_conflicts(form, current):
        try:
            services.set_override(account, request.user, form.cleaned_data["strategy"], form.cleaned_data["reason"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Strategy of “%(name)s” overridden.") % {"name": account})
            return redirect(account)
    names = queries.Names(record.rules)
    history = list(StrategyOverride.history.filter(account_id=account.pk).select_related("history_user")
                   .order_by("-history_date")[:20])
    for entry in history:
        entry.strategy_name = names.strategy(entry.strategy)
    result = services.score_one(account, record.rules)
    return render(request, "portfolio/override.html", {
        "account": account, "form": form, "current": current, "history": history,
        "computed_name": names.strategy(result.computed_strategy) if result and result.computed_strategy else "",
    })


def _override_conflicts(form, current) -> bool:
    """Someone changed the override since the page was shown and differs from the user's: list field, theirs
    and yours and base the form on what is stored now (saving again takes over). Returns whether so."""
    seen, now = form.cleaned_data.get("version"), current.version if current else 0
    if seen is None or seen == now:
        return False
    theirs = {"strategy": current.strategy if current else "", "reason": current.reason if current else ""}
    differing = [name for name in ("strategy", "reason") if theirs[name] != form.cleaned_data[name]]
    if not differing:
        return False
    names = dict(form.fields["strategy"].choices)

    def show(name, value):
        return str(names.get(value, value)) if name == "strategy" else value

    form.conflicts = [Conflict(name=name, label=str(form.fields[name].label), theirs=show(name, theirs[name]),
                               yours=show(name, form.cleaned_data[name])) for name in differing]
    form.conflict_record = current
    form.data = form.data.copy()
    form.data["version"] = str(now)
    form.add_error(None, _("Someone else saved this record while you were editing it. Compare below: keep "
                           "theirs, or save yours again to replace theirs."))
    return True


@login_required
def ratings(request, pk):
    account = _account(request, pk)
    _require(can_rate(request.user, account))
    model = ScoringModel.current().rules
    form = RatingForm(request.POST or None, model=model, ratings=services.stored_ratings(account))
    if request.method == "POST" and form.is_valid() and _saved_ratings(form, account, request.user):
        messages.success(request, _("Ratings of “%(name)s” saved.") % {"name": account})
        return redirect(account)
    names = {c.key: (c.name_de if current_language() == "de" else c.name_en) for c in model.criteria}
    history = list(ManualRating.history.filter(account_id=account.pk).select_related("history_user")
                   .order_by("-history_date")[:30])
    for entry in history:
        entry.criterion_name = names.get(entry.criterion, entry.criterion)
    return render(request, "portfolio/ratings.html", {"account": account, "form": form, "history": history})


def _saved_ratings(form, account, user) -> bool:
    """Every criterion saved in one transaction, each against the rating stored now; nothing when one of them
    changed since the page was shown and differs from the user's (the form then shows the conflict)."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                changes = form.reconcile(services.stored_ratings(account, lock=True))
                for criterion, (value, note, based_on) in (changes or {}).items():
                    services.set_rating(account, user, criterion, value, note, based_on=based_on)
        except StaleVersion:
            continue  # rated by someone else after the check (a first rating, which no lock covers): again
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return False
        return changes is not None
    form.add_error(None, _("Someone else saved this record while you were editing it. Compare below: keep "
                           "theirs, or save yours again to replace theirs."))
    return False


# --- value propositions ----------------------------------------------------------------------------


@login_required
@require_safe
def value_propositions(request):
    record = ScoringModel.current()
    names = queries.Names(record.rules) if record else None
    from kundennetz.accounts.models import Contact

    role_names = dict(Contact.BuyingRole.choices)
    items = restrict(ValueProposition.objects.prefetch_related("segments"), request.user)
    rows = [{
        "item": item, "roles": [role_names.get(r, r) for r in item.roles],
        "strategies": [names.strategy(s) if names else s for s in item.strategies],
        "segments": [s.name for s in item.segments.all()],
    } for item in items]
    return render(request, "portfolio/value_propositions.html", {
        "rows": rows, "can_edit": can_edit_value_propositions(request.user)})


def _saved_value_proposition(form, user) -> bool:
    try:
        services.save_value_proposition(form, user)
    except ValidationError as exc:  # e.g. saved by someone else a moment ago (a stale version)
        form.add_error(None, exc)
        return False
    return True


@login_required
def value_proposition_edit(request, pk=None):
    _require(can_edit_value_propositions(request.user))
    instance = get_for(ValueProposition.objects.all(), request.user, pk, CHANGE) if pk else None
    record = ScoringModel.current()
    form = ValuePropositionForm(request.POST or None, instance=instance, model=record.rules if record else None)
    if request.method == "POST" and form.is_valid() and _saved_value_proposition(form, request.user):
        messages.success(request, _("Value proposition “%(title)s” saved.") % {"title": form.instance})
        return redirect("portfolio:value_propositions")
    return render(request, "portfolio/value_proposition_form.html", {"form": form, "instance": instance})


@login_required
@require_POST
def value_proposition_delete(request, pk):
    _require(can_edit_value_propositions(request.user))
    item = get_for(ValueProposition.objects.all(), request.user, pk, DELETE)
    item._history_user = request.user
    item.delete()
    messages.success(request, _("Value proposition “%(title)s” deleted.") % {"title": item})
    return redirect(reverse("portfolio:value_propositions"))
