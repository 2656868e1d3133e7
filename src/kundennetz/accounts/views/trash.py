"""The trash: records deleted by anyone, with who and when, for admin and sales head to restore."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from kundennetz.core.permissions import CHANGE, can_manage_trash, get_for, restrict

from .. import services
from ..models import Account, Contact, Opportunity

KINDS = {
    "accounts": (Account, gettext_lazy("Accounts"), ("owner", "deleted_by")),
    "contacts": (Contact, gettext_lazy("Contacts"), ("account", "deleted_by")),
    "opportunities": (Opportunity, gettext_lazy("Opportunities"), ("account", "stage", "deleted_by")),
}


def register(kind: str, model, label, related: tuple) -> None:
    """Another app's soft-deleted records get a tab of the trash (with an `account` to restore first)."""
    KINDS[kind] = (model, label, related)


def _require_trash_manager(request) -> None:
    if not can_manage_trash(request.user):
        raise PermissionDenied


def _deleted(request, model):
    return restrict(model.all_objects.deleted(), request.user, CHANGE, with_trashed_accounts=True)


@login_required
@require_safe
def trash(request):
    _require_trash_manager(request)
    counts = {key: _deleted(request, tab_model).count() for key, (tab_model, _label, _rel) in KINDS.items()}
    # Without a kind asked for, the trash opens on the first kind that holds anything.
    kind = request.GET.get("kind") or next((key for key, n in counts.items() if n), "accounts")
    if kind not in KINDS:
        raise Http404
    model, _label, related = KINDS[kind]
    tabs = [{"kind": key, "label": label, "count": counts[key], "current": key == kind}
            for key, (tab_model, label, _rel) in KINDS.items()]
    records = _deleted(request, model).select_related(*related).order_by("-deleted_at", "-pk")
    page = Paginator(records, settings.KUNDENNETZ_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/trash.html", {"kind": kind, "tabs": tabs, "page": page})


@login_required
@require_POST
def restore(request, kind, pk):
    _require_trash_manager(request)
    if kind not in KINDS:
        raise Http404
    record = get_for(KINDS[kind][0].all_objects.deleted(), request.user, pk, CHANGE, with_trashed_accounts=True)
    back = f"{reverse('accounts:trash')}?kind={kind}"
    if not services.restore(record, request.user):
        messages.error(request, _("“%(name)s” belongs to the account “%(account)s”, which is in the trash. "
                                  "Restore the account first.") % {"name": record, "account": record.account})
        return redirect(back)
    messages.success(request, _("“%(name)s” restored.") % {"name": record})
    return redirect(back)


MAX_BULK = 500


@login_required
@require_POST
def restore_many(request, kind):
    """Restore the chosen records of one kind at once; those whose account is in the trash stay there."""
    _require_trash_manager(request)
    if kind not in KINDS:
        raise Http404
    back = f"{reverse('accounts:trash')}?kind={kind}"
    ids = sorted({int(v) for v in request.POST.getlist("ids") if v.isdigit() and 0 < int(v) < 2**63}
                 )[:MAX_BULK]
    if not ids:
        messages.error(request, _("Choose the records to restore."))
        return redirect(back)
    model, _label, related = KINDS[kind]
    records = _deleted(request, model).filter(pk__in=ids).select_related(
        *[name for name in ("account",) if name in related])
    restored, waiting = services.restore_many(records, request.user)
    if restored:
        messages.success(request, ngettext("%(count)s record restored.", "%(count)s records restored.",
                                           len(restored)) % {"count": len(restored)})
    if waiting:
        messages.error(request, _("Not restored, their account is in the trash: %(names)s. Restore the account "
                                  "first.") % {"names": ", ".join(str(r) for r in waiting)})
    return redirect(back)
