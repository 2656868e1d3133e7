"""Pages of contacts: the list, a person's page, create (usually from the account's page), edit and delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kundennetz.core.permissions import CHANGE, DELETE, get_for

from ..filters import ContactFilter
from ..forms import ContactForm, save_forms
from ..models import Contact
from ..permissions import permissions_for
from .common import confirm_delete, list_page, preselected_account, require_create
from .history import record_history


@login_required
@require_safe
def contact_list(request):
    queryset = Contact.objects.select_related("account")  # restricted by list_page
    filterset = ContactFilter(request.GET, queryset=queryset, request=request)
    return list_page(request, filterset, "accounts/contact_list.html", "accounts/_contact_results.html",
                     default_sort="name")


@login_required
@require_safe
def contact_detail(request, pk):
    contact = get_for(Contact.objects.select_related(
        "account", "reports_to", "created_by", "updated_by"), request.user, pk)
    history, history_truncated = record_history(contact)
    boss = contact.reports_to if contact.reports_to_id and not contact.reports_to.is_deleted else None
    return render(request, "accounts/contact_detail.html", {
        "contact": contact,
        "account": contact.account,
        "reports_to": boss,
        "reports": contact.reports.all(),
        "involvements": contact.involvements.filter(opportunity__deleted_at__isnull=True)
                               .select_related("opportunity__stage").order_by("-opportunity__created_at"),
        "history": history,
        "history_truncated": history_truncated,
        **permissions_for(request.user, contact),
    })


def _contact_form_page(request, form, heading: str, contact=None):
    return render(request, "accounts/contact_form.html", {
        "form": form, "heading": heading, "contact": contact, "account": form.account,
    })


@login_required
def contact_create(request):
    require_create(request)
    account = preselected_account(request)
    form = ContactForm(request.POST or None, initial={"account": account}, user=request.user)
    if request.method == "POST" and form.is_valid() and save_forms(form):
        messages.success(request, _("Contact “%(name)s” created.") % {"name": form.instance})
        return redirect(form.instance)
    return _contact_form_page(request, form, _("New contact"))


@login_required
def contact_update(request, pk):
    contact = get_for(Contact.objects.all(), request.user, pk, CHANGE)
    heading = _("Edit “%(name)s”") % {"name": contact}
    form = ContactForm(request.POST or None, instance=contact, user=request.user)
    if request.method == "POST" and form.is_valid() and save_forms(form):
        messages.success(request, _("Changes to “%(name)s” saved.") % {"name": contact})
        return redirect(contact)
    return _contact_form_page(request, form, heading, contact)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def contact_delete(request, pk):
    contact = get_for(Contact.objects.select_related("account"), request.user, pk, DELETE)
    return confirm_delete(request, contact, done_url=contact.account.get_absolute_url(),
                          message=_("Contact “%(name)s” moved to the trash.") % {"name": contact})
