"""The bid/no-bid one-pager for the decision meeting: a print view (HTML, A4) and the same as PDF.

Both are built from one `pdf.Sheet`, in German or English (`?lang=de|en`, default the user's language),
so what is printed from the browser and what is sent around as PDF never disagree.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kundennetz.accounts.models import Contact, OpportunityContact
from kundennetz.core.formatting import format_money, format_percent
from kundennetz.domain import qualification as rules

from . import services
from .models import Recommendation
from .pdf import Sheet, SheetCategory, SheetDecision, build_pdf
from .wording import contradictions
from .views_support import LIGHT_LABELS, Names, company, language, unavailable, checklist_opportunities
from kundennetz.core.permissions import get_for

LANGUAGES = {"de": "de-ch", "en": "en"}
# Where the default catalogue asks for the people and figures the sheet lists.
DECISION_MAKERS, INFLUENCERS = "authority.decision_makers", "authority.influencers"
COMPETITORS, BUDGET, FOLLOW_UP = "competition.competitors", "money.budget", "time_scale.follow_up_volume"


def _language(request) -> str:
    asked = request.GET.get("lang", "")
    return LANGUAGES.get(asked) or translation.get_language() or "de-ch"


def _labels() -> dict[str, str]:
    return {
        "sheet": _("Bid/no-bid sheet"), "recommendation": _("Recommendation of the checklist"),
        "categories": _("The eight categories"), "category": _("Category"), "question": _("Headline question"),
        "answer": _("Answer"), "light": _("Light"), "clarify": _("Open points to clarify with the customer"),
        "nothing_open": _("Nothing open."), "people": _("Decision makers, influencers and competitors"),
        "decision_makers": _("Decision makers"), "influencers": _("Influencers and others involved"),
        "competitors": _("Competitors"), "none": _("none named"), "money": _("Figures"),
        "decision": _("Pursuit decision"), "decided_by": _("Decided by"), "decided_at": _("Decided on"),
        "at_the_time": _("Recommendation at the time"), "reason": _("Reason"),
        "no_decision": _("No decision has been recorded yet."),
        "blank_decision": _("☐ Pursue   ☐ Do not pursue      Decided by: ____________   Date: __________\n"
                            "Reason: ______________________________________________________________"),
    }


def _person(contact: Contact, role: str = "") -> str:
    text = str(contact) + (f", {contact.function}" if contact.function else "")
    return f"{text} ({role})" if role else text


def build_sheet(request, opportunity) -> Sheet:
    """The sheet's content in the active language; call inside `translation.override`."""
    view = services.checklist_view(opportunity, request.user)
    catalogue, evaluation = view.checklist.catalogue.rules, view.evaluation
    values = {question_id: a.value for question_id, a in view.answers.items()}
    names = Names.load(catalogue, values.items())
    lang, our_company, currency = language(), company(), opportunity.account.currency

    def ids(question_id: str) -> list[int]:
        return list(values.get(question_id) or [])

    contacts = Contact.all_objects.in_bulk(ids(DECISION_MAKERS) + ids(INFLUENCERS))
    deciders = [_person(contacts[i]) for i in ids(DECISION_MAKERS) if i in contacts]
    influencers = [_person(contacts[i]) for i in ids(INFLUENCERS) if i in contacts]
    involved = (OpportunityContact.objects.filter(opportunity=opportunity, contact__deleted_at__isnull=True)
                .select_related("contact").order_by("contact__last_name"))
    for involvement in involved:
        is_decider = involvement.role == Contact.BuyingRole.DECISION_MAKER
        target, chosen = (deciders, ids(DECISION_MAKERS)) if is_decider else (influencers, ids(INFLUENCERS))
        if involvement.contact_id not in chosen:
            target.append(_person(involvement.contact, involvement.get_role_display()))
    competitors = [names.competitors.get(i, f"#{i}") for i in ids(COMPETITORS)]
    competitors += [c.name for c in opportunity.competitors.all() if c.name not in competitors]

    def money(value) -> str:
        return format_money(value, currency) if value not in (None, "") else "–"

    decider_question = next((q for q in catalogue.questions() if q.type == rules.USER), None)
    decider = names.show(decider_question, values.get(decider_question.id)) if decider_question else "–"
    decision = view.decision
    summary = _("Unfavourable: %(count)s of %(total)s (more than %(threshold)s means no offer) · "
                "Open: %(open)s · Favourable: %(favourable)s") % {
        "count": len(evaluation.unfavourable), "total": len(catalogue.categories),
        "threshold": evaluation.threshold, "open": len(evaluation.open), "favourable": len(evaluation.favourable)}
    if evaluation.knockouts:
        summary += " · " + _("Knock-out answered unfavourably: %(questions)s") % {
            "questions": "; ".join(catalogue.question(i).localised(lang, our_company) for i in evaluation.knockouts)}
    decision_date = opportunity.expected_decision_date
    return Sheet(
        language=lang, labels=_labels(), company=our_company, title=opportunity.title,
        facts=[(_("Account"), opportunity.account.name), (_("Stage"), opportunity.stage.name),
               (_("Owner"), str(opportunity.owner)),
               (_("Expected decision"), date_format(decision_date, "SHORT_DATE_FORMAT") if decision_date else "–"),
               (_("Decides at %(company)s") % {"company": our_company}, decider),
               (_("Catalogue"), f"{view.checklist.catalogue.definition['name'].get(lang, '')} "
                                f"v{view.checklist.catalogue.version}")],
        recommendation=evaluation.recommendation,
        recommendation_text=str(Recommendation(evaluation.recommendation).label), summary=summary,
        categories=[SheetCategory(letter=c.letter, name=c.localised_name(lang, our_company),
                                  question=c.headline.localised(lang, our_company),
                                  answer=names.show(c.headline, values.get(c.key)),
                                  light=evaluation.lights[c.key], light_label=str(LIGHT_LABELS[evaluation.lights[c.key]]))
                    for c in catalogue.categories],
        clarify=[f"{catalogue.category(p.category).letter} · {p.text}" for p in evaluation.clarify],
        warnings=contradictions(catalogue, evaluation, lang, our_company),
        decision_makers=deciders, influencers=influencers, competitors=competitors,
        money=[(_("Expected volume"), money(opportunity.expected_volume)),
               (_("Follow-up volume"), money(values.get(FOLLOW_UP) or opportunity.expected_follow_up_volume)),
               (_("Offer price"), money(opportunity.offer_price)), (_("Customer's budget"), money(values.get(BUDGET))),
               (_("Contribution margin"), format_percent(opportunity.estimated_margin_pct))],
        decision=SheetDecision(
            decision=decision.get_decision_display(), by=str(decision.decided_by),
            at=date_format(timezone.localtime(decision.decided_at), "SHORT_DATETIME_FORMAT"),
            reason=decision.reason, recommendation=decision.get_recommendation_display(),
        ) if decision else None,
        generated=date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT"),
    )


def _opportunity(request, pk):
    return get_for(checklist_opportunities(), request.user, pk)


@login_required
@require_GET
def sheet(request, pk):
    opportunity = _opportunity(request, pk)
    lang = _language(request)
    with translation.override(lang):
        try:
            content = build_sheet(request, opportunity)
        except ValidationError as exc:
            return unavailable(request, opportunity, exc)
        response = render(request, "qualification/sheet.html",
                          {"opportunity": opportunity, "sheet": content, "sheet_language": lang[:2]})
    response["Content-Language"] = lang
    return response


@login_required
@require_GET
def sheet_pdf(request, pk):
    opportunity = _opportunity(request, pk)
    lang = _language(request)
    with translation.override(lang):
        try:
            content = build_pdf(build_sheet(request, opportunity))
        except ValidationError as exc:
            return unavailable(request, opportunity, exc)
    response = HttpResponse(content, content_type="application/pdf")
    name = slugify(f"bid-no-bid {opportunity.title}")[:80] or "bid-no-bid"
    response["Content-Disposition"] = f'inline; filename="{name}-{lang[:2]}.pdf"'
    response["Content-Language"] = lang
    return response
