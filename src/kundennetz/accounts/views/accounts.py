"""Pages of accounts: the list, an account's page, create, edit and delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from kundennetz.core.permissions import ADD, CHANGE, DELETE, can, get_for

from ..filters import AccountFilter
from ..forms import AccountForm, save_forms
from ..models import Account
from ..permissions import permissions_for
from .common import confirm_delete, list_page, require_create
from .history import record_history


@login_required
@require_safe
def account_list(request):
    queryset = Account.objects.select_related("segment", "owner")  # restricted by list_page
    filterset = AccountFilter(request.GET, queryset=queryset, request=request)
    return list_page(request, filterset, "accounts/account_list.html", "accounts/_account_results.html",
                     default_sort="name")


@login_required
@require_safe
def account_detail(request, pk):
    account = get_for(Account.objects.select_related("segment", "owner", "created_by", "updated_by"), request.user, pk)
    history, history_truncated = record_history(account)
    return render(request, "accounts/account_detail.html", {
        "account": account,
        "team": account.team.all(),
        "contacts": account.contacts.select_related("reports_to"),
        "opportunities": account.opportunities.select_related("stage", "owner").order_by(
            "stage__type", "expected_decision_date", "-pk"),
        "history": history,
        "history_truncated": history_truncated,
        "can_add": can(request.user, ADD, account),
        **permissions_for(request.user, account),
    })


def _account_form_page(request, form, heading: str, account=None, saved_name: str = ""):
    # `saved_name`: the form has already written rejected input into the instance.
    return render(request, "accounts/account_form.html", {
        "form": form, "heading": heading, "account": account, "saved_name": saved_name,
    })


@login_required
def account_create(request):
    require_create(request)
    form = AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and save_forms(form):
        messages.success(request, _("Account “%(name)s” created.") % {"name": form.instance})
        return redirect(form.instance)
    return _account_form_page(request, form, _("New account"))


@login_required
def account_update(request, pk):
    account = get_for(Account.objects.all(), request.user, pk, CHANGE)
    heading, saved_name = _("Edit “%(name)s”") % {"name": account}, account.name
    form = AccountForm(request.POST or None, instance=account, user=request.user)
    if request.method == "POST" and form.is_valid() and save_forms(form):
        messages.success(request, _("Changes to “%(name)s” saved.") % {"name": account})
        return redirect(account)
    return _account_form_page(request, form, heading, account, saved_name)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete(request, pk):
    account = get_for(Account.objects.all(), request.user, pk, DELETE)
    contacts, opportunities = account.contacts.count(), account.opportunities.count()
    consequences = []
    if contacts:
        consequences.append(ngettext("Its %(count)d contact goes to the trash with it.",
                                     "Its %(count)d contacts go to the trash with it.", contacts) % {"count": contacts})
    if opportunities:
        consequences.append(ngettext("Its %(count)d opportunity goes to the trash with it.",
                                     "Its %(count)d opportunities go to the trash with it.",
                                     opportunities) % {"count": opportunities})
    return confirm_delete(request, account, done_url=reverse("accounts:account_list"), consequences=consequences,
                          message=_("Account “%(name)s” moved to the trash.") % {"name": account})
