"""The relationship map of an account (page, SVG and PNG download) and adding or removing relations there.

The page reads the stored analysis (`AccountNetwork`) and the account's records in a fixed number of
queries; the analysis itself is refreshed when a relation is saved, never while a page is shown.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kundennetz.accounts.models import Account
from kundennetz.core.permissions import CHANGE, DELETE, get_for
from kundennetz.domain.network_svg import render_svg

from . import services
from .forms import RelationForm
from .models import Relation
from .panel import warnings_for
from .permissions import may_change_relations, may_delete_relations

RELATIONS_PER_PAGE = 50


def _page(request, account, form=None, status=200):
    stored = services.stored(account)
    data, labels = services.map_data(account, stored)
    may_change = may_change_relations(request.user, account)
    relations = (Relation.objects.filter(account=account, contact__deleted_at__isnull=True)
                 .select_related("contact", "other", "user").order_by("kind", "id"))
    page = Paginator(relations, RELATIONS_PER_PAGE).get_page(request.GET.get("page"))
    if form is None and may_change:
        form = RelationForm(user=request.user, account=account)
    return render(request, "network/account_map.html", {
        "account": account, "stored": stored, "svg": mark_safe(render_svg(data, labels)),  # noqa: S308 (escaped)
        "warnings": warnings_for(account, stored), "page": page, "relations": page.object_list, "form": form,
        "can_change": may_change, "can_delete": may_delete_relations(request.user, account),
        "ties": {(u, c): (s, src) for u, c, s, src in (stored.data or {}).get("ties", [])},
    }, status=status)


@login_required
@require_safe
def account_map(request, pk):
    return _page(request, get_for(Account.objects.select_related("segment"), request.user, pk))


@login_required
@require_safe
def account_map_svg(request, pk):
    account = get_for(Account.objects.all(), request.user, pk)
    data, labels = services.map_data(account)
    response = HttpResponse(render_svg(data, labels), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="network-{slugify(account.name) or account.pk}.svg"'
    return response


@login_required
@require_safe
def account_map_png(request, pk):
    from .png import render_png

    account = get_for(Account.objects.all(), request.user, pk)
    data, labels = services.map_data(account)
    response = HttpResponse(render_png(data, labels), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="network-{slugify(account.name) or account.pk}.png"'
    return response


@login_required
@require_POST
def relation_create(request, pk):
    account = get_for(Account.objects.all(), request.user, pk, CHANGE)
    form = RelationForm(request.POST, user=request.user, account=account)
    if form.is_valid():
        form.save()
        messages.success(request, _("Relation “%(relation)s” added.") % {"relation": form.instance})
        return redirect("network:account_map", pk=account.pk)
    return _page(request, account, form, status=422)


@login_required
@require_POST
def relation_delete(request, pk):
    relation = get_for(Relation.objects.select_related("contact", "user", "other"), request.user, pk, DELETE)
    relation.soft_delete(request.user)
    messages.success(request, _("Relation “%(relation)s” moved to the trash.") % {"relation": relation})
    return redirect("network:account_map", pk=relation.account_id)
