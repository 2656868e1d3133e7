"""Pages of opportunities: the list, an opportunity's page with its stage change, create, edit and delete.

The form for an opportunity carries the people involved as rows of a formset; both save in one
transaction, so a bad row leaves the opportunity untouched.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_http_methods, require_safe

from kundennetz.core.permissions import CHANGE, DELETE, get_for

from ..filters import OpportunityFilter
from ..forms import InvolvementFormSet, OpportunityForm, StageForm, save_forms
from ..models import Contact, Opportunity
from ..permissions import permissions_for
from .common import confirm_delete, list_page, preselected_account, require_create
from .history import record_history

DETAIL_RELATED = ("account", "stage", "owner", "closing_reason", "created_by", "updated_by")


@login_required
@require_safe
def opportunity_list(request):
    # Restricted by list_page.
    queryset = Opportunity.objects.select_related("account", "stage", "owner", "checklist", "win_score")
    filterset = OpportunityFilter(request.GET, queryset=queryset, request=request)
    return list_page(request, filterset, "accounts/opportunity_list.html", "accounts/_opportunity_results.html")


def _detail_page(request, opportunity, stage_form=None, status=200):
    history, history_truncated = record_history(opportunity, involvements=True)
    permissions = permissions_for(request.user, opportunity)
    if stage_form is None and permissions["can_change"]:
        stage_form = StageForm(instance=opportunity, user=request.user, auto_id="stage_%s")
    return render(request, "accounts/opportunity_detail.html", {
        "opportunity": opportunity,
        "account": opportunity.account,
        "currency": opportunity.account.currency,
        "involvements": opportunity.involvements.filter(contact__deleted_at__isnull=True)
                                   .select_related("contact").order_by("contact__last_name", "contact__first_name"),
        "competitors": opportunity.competitors.all(),
        "stage_form": stage_form,
        "history": history,
        "history_truncated": history_truncated,
        **permissions,
    }, status=status)


@login_required
@require_safe
def opportunity_detail(request, pk):
    opportunity = get_for(Opportunity.objects.select_related(*DETAIL_RELATED), request.user, pk)
    return _detail_page(request, opportunity)


@login_required
@require_POST
def opportunity_stage(request, pk):
    opportunity = get_for(Opportunity.objects.select_related(*DETAIL_RELATED), request.user, pk, CHANGE)
    # The form works on its own copy, so that a refused change does not show as the current stage.
    editable = Opportunity.objects.get(pk=opportunity.pk)
    form = StageForm(request.POST, instance=editable, user=request.user, auto_id="stage_%s")
    if form.is_valid() and save_forms(form):
        messages.success(request, _("Stage changed to “%(stage)s”.") % {"stage": editable.stage})
        return redirect(opportunity)
    return _detail_page(request, opportunity, stage_form=form)


def _editor(request, opportunity=None, account=None):
    initial = {"account": account} if account is not None else None
    form = OpportunityForm(request.POST or None, instance=opportunity, initial=initial, user=request.user)
    contacts = form.account.contacts.all() if form.account else Contact.objects.none()
    formset = InvolvementFormSet(request.POST or None, instance=form.instance, contacts=contacts,
                                 user=request.user, prefix="people")
    return form, formset


def _saved(request, form, formset) -> bool:
    valid = [form.is_valid(), formset.is_valid()]  # both, so that every error shows at once
    return request.method == "POST" and all(valid) and save_forms(form, formset)


def _form_page(request, form, formset, heading: str, opportunity=None):
    return render(request, "accounts/opportunity_form.html", {
        "form": form, "formset": formset, "heading": heading, "opportunity": opportunity,
        "account": form.account,
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def opportunity_create(request):
    require_create(request)
    form, formset = _editor(request, account=preselected_account(request))
    if _saved(request, form, formset):
        messages.success(request, _("Opportunity “%(title)s” created.") % {"title": form.instance})
        return redirect(form.instance)
    return _form_page(request, form, formset, _("New opportunity"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def opportunity_update(request, pk):
    opportunity = get_for(Opportunity.objects.all(), request.user, pk, CHANGE)
    heading = _("Edit “%(title)s”") % {"title": opportunity}
    form, formset = _editor(request, opportunity)
    if _saved(request, form, formset):
        messages.success(request, _("Changes to “%(title)s” saved.") % {"title": form.instance})
        return redirect(form.instance)
    return _form_page(request, form, formset, heading, opportunity)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def opportunity_delete(request, pk):
    opportunity = get_for(Opportunity.objects.select_related("account"), request.user, pk, DELETE)
    return confirm_delete(request, opportunity, done_url=opportunity.account.get_absolute_url(),
                          message=_("Opportunity “%(title)s” moved to the trash.") % {"title": opportunity})
