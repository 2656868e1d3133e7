"""Pages of interactions: the list, logging (on the account page and on its own page), detail with
history, edit and delete, and the account page's consistency panel.

Every form works twice: with HTMX it posts and gets back the changed part of the page (the panel
with the new score, or the log area); without JavaScript the same POST redirects or re-renders the
whole page. Who may do what is decided by `core.permissions`; the rules of an interaction by
`services.save_interaction`.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_http_methods, require_safe

from kundennetz.accounts.models import Account
from kundennetz.accounts.views.history import record_history
from kundennetz.core.paging import by_account
from kundennetz.core.permissions import ADD, CHANGE, DELETE, VIEW, can, can_create, get_for, restrict
from kundennetz.domain import consistency as dc

from . import services
from .filters import search_interactions
from .forms import InteractionForm
from .models import Interaction
from .paging import CappedPaginator, id_param
from .panel import panel_context, timeline


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _visible_account(request, pk) -> Account:
    return get_for(Account.objects.select_related("owner", "segment"), request.user, pk)


# --- the account page's panel -------------------------------------------------------------------


@login_required
@require_safe
def account_panel(request, pk):
    """The panel alone (HTMX: another page of the timeline, another period)."""
    account = _visible_account(request, pk)
    return render(request, "interactions/_panel.html", panel_context(request, account))


@login_required
@require_POST
def account_log(request, pk):
    """Log an interaction from the account page; answers with the panel (new score, timeline)."""
    account = get_for(Account.objects.select_related("owner", "segment"), request.user, pk, ADD)
    form = InteractionForm(request.POST, user=request.user, account=account)
    if form.try_save():
        saved = _("Interaction logged.")
        if not _htmx(request):
            messages.success(request, saved)
            return redirect(account.get_absolute_url() + "#consistency-panel")
        return render(request, "interactions/_panel.html", panel_context(request, account, saved=saved))
    if _htmx(request):
        # 200, not 422: HTMX swaps only successful answers, and the form must show its errors.
        return render(request, "interactions/_panel.html", panel_context(request, account, form=form))
    return render(request, "interactions/interaction_form.html", {
        "form": form, "account": account, "heading": _("Log an interaction"),
    })


# --- list, log, detail, edit, delete ------------------------------------------------------------


@login_required
@require_safe
def interaction_list(request):
    queryset = (Interaction.objects.select_related("account", "opportunity")
                .prefetch_related("our_people", "contacts", "core_messages")
                .order_by("-date", "-id"))
    params = request.GET
    queryset = search_interactions(queryset, params.get("q"), account_names=True)
    if params.get("type") in Interaction.Type.values:
        queryset = queryset.filter(type=params["type"])
    date_from, date_to = _iso(params.get("from")), _iso(params.get("to"))
    if date_from:
        queryset = queryset.filter(date__gte=date_from)
    if date_to:
        queryset = queryset.filter(date__lte=date_to)
    if params.get("mine") == "1":
        queryset = queryset.filter(our_people=request.user)
    account_id = id_param(params.get("account"))
    if account_id:
        queryset = queryset.filter(account_id=account_id)
    # Restricted to what the user may see; an account manager's interactions are read account by account,
    # whoever sees every account walks the date index newest first.
    rows = by_account(queryset, request.user)
    page = CappedPaginator(rows, settings.KUNDENNETZ_PAGE_SIZE).get_page(params.get("page"))
    return render(request, "interactions/interaction_list.html", {
        "page": page, "records": page.object_list, "types": Interaction.Type.choices,
        "params": params, "can_log": can_create(request.user),
    })


def _iso(value):
    """A date from a query string, or None for anything else (a wrong filter is ignored, not a 500)."""
    try:
        return parse_date(value or "")
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def interaction_create(request):
    """The global "log an interaction" page; the account's people follow the chosen account."""
    if not can_create(request.user):
        raise PermissionDenied
    initial = {}
    preset = id_param(request.GET.get("account"))
    if preset and restrict(Account.objects.all(), request.user, ADD).filter(pk=preset).exists():
        initial["account"] = preset
    form = InteractionForm(request.POST or None, user=request.user, initial=initial)
    context = {"form": form, "heading": _("Log an interaction")}
    if request.method == "POST":
        if form.try_save():
            interaction = form.instance
            saved = _("Interaction with “%(account)s” logged.") % {"account": interaction.account}
            if not _htmx(request):
                messages.success(request, saved)
                return redirect(interaction.account.get_absolute_url() + "#consistency-panel")
            account = interaction.account
            result = services.account_consistency(account)
            context = {
                "form": InteractionForm(user=request.user, initial={"account": account.pk}),
                "heading": context["heading"], "saved": saved, "logged_account": account,
                "score": result.current.score, "delta": result.delta,
                "reasons": [services.reason_text(r) for r in result.current.score.top(3)],
                "recent": timeline(account)[:5],
            }
            return render(request, "interactions/_log_area.html", context)
        if _htmx(request):
            return render(request, "interactions/_log_area.html", context)
    return render(request, "interactions/interaction_form.html", context)


@login_required
@require_safe
def interaction_detail(request, pk):
    interaction = get_for(Interaction.objects.select_related("account", "opportunity", "created_by", "updated_by"),
                          request.user, pk)
    history, truncated = record_history(interaction)
    return render(request, "interactions/interaction_detail.html", {
        "interaction": interaction,
        "history": history,
        "history_truncated": truncated,
        "can_change": can(request.user, CHANGE, interaction),
        "can_delete": can(request.user, DELETE, interaction),
    })


@login_required
@require_http_methods(["GET", "POST"])
def interaction_update(request, pk):
    interaction = get_for(Interaction.objects.all(), request.user, pk, CHANGE)
    form = InteractionForm(request.POST or None, instance=interaction, user=request.user)
    if request.method == "POST" and form.try_save():
        messages.success(request, _("Changes saved."))
        return redirect(interaction)
    return render(request, "interactions/interaction_form.html", {
        "form": form, "account": interaction.account, "interaction": interaction,
        "heading": _("Edit interaction"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def interaction_delete(request, pk):
    interaction = get_for(Interaction.objects.all(), request.user, pk, DELETE)
    if request.method == "POST":
        account = interaction.account
        services.delete_interaction(interaction, request.user)
        messages.success(request, _("Interaction moved to the trash."))
        return redirect(account.get_absolute_url() + "#consistency-panel")
    return render(request, "accounts/confirm_delete.html", {
        "record": interaction, "verbose_name": Interaction._meta.verbose_name, "consequences": [],
    })


@login_required
@require_safe
def about(request):
    """How the score is computed, with the weights and thresholds in force."""
    cfg = services.config()
    return render(request, "interactions/about.html", {
        "config": cfg,
        "components": [(name, cfg.component_weights[name], cfg.measure_weights[name]) for name in dc.COMPONENT_MEASURES],
        "key_people": sorted(cfg.key_person_days.items()),
        "types": [(label, cfg.type_weights.get(value, cfg.default_type_weight)) for value, label in Interaction.Type.choices],
    })
