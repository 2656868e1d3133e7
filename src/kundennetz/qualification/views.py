"""The checklist page of an opportunity: answering, adding a contact inline, recording the pursuit decision.

Every form works twice: with HTMX it posts one answer and gets back the changed parts of the page;
without JavaScript the same POST redirects back to the page. The rules live in `services`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kundennetz.core.permissions import CHANGE, VIEW, can, get_for, refused
from kundennetz.core.services import save_record
from kundennetz.domain import qualification as rules

from . import services
from .forms import AnswerForm, DecisionForm, QuickContactForm, dom_id
from .permissions import may_decide
from .views_support import checklist_context, unavailable, checklist_opportunities


def _opportunity(request, pk, action: str = VIEW):
    # Records outside the user's reach are not found rather than forbidden: their existence stays private.
    return get_for(checklist_opportunities(), request.user, pk, action)


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page_url(opportunity, anchor: str = "") -> str:
    return reverse("qualification:checklist", args=[opportunity.pk]) + (f"#{anchor}" if anchor else "")


def _put_errors(form, exc: ValidationError, value_field: str | None = None) -> None:
    """Show a service's refusal on the form, under the field it concerns where the form has one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(value_field, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else value_field, errors)


def _question(checklist, question_id: str):
    try:
        return checklist.catalogue.rules.question(question_id)
    except KeyError:
        return None


@login_required
@require_GET
def checklist(request, pk):
    opportunity = _opportunity(request, pk)
    try:
        context = checklist_context(request, opportunity)
    except ValidationError as exc:
        return unavailable(request, opportunity, exc)
    return render(request, "qualification/checklist.html", context)


@login_required
@require_POST
def answer(request, pk):
    opportunity = _opportunity(request, pk, CHANGE)
    try:
        checklist = services.peek_checklist(opportunity)
    except ValidationError as exc:  # no catalogue published yet
        return unavailable(request, opportunity, exc)
    question = _question(checklist, request.POST.get("question_id", ""))
    if question is None:
        return HttpResponseBadRequest(_("This question is not part of the checklist."))
    form = AnswerForm(request.POST, question=question)
    if form.is_valid():
        # A one-click "accept" sends no note; that must keep the note, not clear it.
        note = form.cleaned_data["note"] if "note" in request.POST else None
        try:
            checklist = services.get_checklist(opportunity, request.user)
            services.set_answer(checklist, question.id, form.cleaned_data["value"], request.user, note=note,
                                expected_version=form.cleaned_data.get("version"))
        except services.StaleAnswer as exc:
            _put_errors(form, exc, "value")
            form.conflict = exc.answer
        except ValidationError as exc:
            _put_errors(form, exc, "value")
    if not form.errors and not _htmx(request):
        return redirect(_page_url(opportunity, f"q-{dom_id(question.id)}"))
    context = checklist_context(request, opportunity, bound=form if form.errors else None)
    if not _htmx(request):
        return render(request, "qualification/checklist.html", context)
    context["row"] = _row(context, question.id)
    return render(request, "qualification/_answer_response.html", context)


def _row(context, question_id: str):
    return next(r for b in context["blocks"] for r in (b.headline, *b.details) if r.question.id == question_id)


@login_required
@require_POST
def add_contact(request, pk):
    opportunity = _opportunity(request, pk, CHANGE)
    if not can(request.user, CHANGE, opportunity.account):
        raise refused(CHANGE)
    try:
        checklist = services.get_checklist(opportunity, request.user)
    except ValidationError as exc:  # no catalogue published yet
        return unavailable(request, opportunity, exc)
    question = _question(checklist, request.POST.get("question_id", ""))
    if question is None or question.type != rules.CONTACTS:
        return HttpResponseBadRequest(_("This question does not name people of the account."))
    form = QuickContactForm(request.POST, question_id=question.id)
    created = None
    if form.is_valid():
        contact = form.save(commit=False)
        contact.account = opportunity.account
        try:
            with transaction.atomic():
                save_record(contact, request.user)
                # Added while answering this question, so it names this person: no second click needed.
                picked = services.answer_values(checklist).get(question.id) or []
                services.set_answer(checklist, question.id, [*picked, contact.pk], request.user)
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            created = contact
            form = QuickContactForm(question_id=question.id)
    if created is not None and not _htmx(request):
        messages.success(request, _("%(name)s was added to the account.") % {"name": created})
        return redirect(_page_url(opportunity, f"q-{dom_id(question.id)}"))
    context = checklist_context(request, opportunity, contact_form=form)
    if not _htmx(request):
        return render(request, "qualification/checklist.html", context)
    context.update(row=_row(context, question.id), created=created, created_for=question.id)
    return render(request, "qualification/_contact_response.html", context)


@login_required
@require_POST
def decide(request, pk):
    opportunity = _opportunity(request, pk)
    try:
        checklist = services.peek_checklist(opportunity)
    except ValidationError as exc:  # no catalogue published yet
        return unavailable(request, opportunity, exc)
    if not may_decide(request.user, checklist):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    recorded = None
    if form.is_valid():
        try:
            recorded = services.record_decision(opportunity, request.user, form.cleaned_data["decision"],
                                                form.cleaned_data["reason"])
        except ValidationError as exc:
            _put_errors(form, exc)
    if recorded is not None and not _htmx(request):
        messages.success(request, _("The decision was recorded."))
        return redirect(_page_url(opportunity, "decision"))
    context = checklist_context(request, opportunity, decision_form=None if recorded else form)
    context["recorded"] = recorded
    template = "qualification/_decision.html" if _htmx(request) else "qualification/checklist.html"
    return render(request, template, context)
