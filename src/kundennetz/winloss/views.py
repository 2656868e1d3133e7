"""Pages of win/loss learning: the model and threshold advice, the no-bid review, and the win panel of
an opportunity's checklist. The rules live in `services` and `kundennetz.domain.winloss`."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kundennetz.accounts.models import Opportunity, Segment
from kundennetz.core.permissions import CHANGE, get_for

from . import services, tasks
from .permissions import may_fit, may_review
from .forms import BidCostForm, DeclinedOutcomeForm
from .models import BidCost, DealScore, DeclinedOutcome, WinModel


@dataclass
class WinPanel:
    score: DealScore | None
    contributions: list
    similar: dict
    model: WinModel | None
    currency: str


def win_context(opportunity, user) -> WinPanel:
    """What the checklist's win panel shows: a bounded number of queries, never a pass over all deals."""
    score = (DealScore.objects.filter(opportunity=opportunity).select_related("model")
             .defer("model__deal_ids").first())
    return WinPanel(score=score, contributions=services.explained(score) if score else [],
                    similar=services.similar_deals(opportunity, user) if score and score.probability is not None
                    else {"won": [], "lost": []},
                    model=score.model if score else None, currency=opportunity.account.currency)


def _require_review(user) -> None:
    if not may_review(user):
        raise PermissionDenied


@login_required
@require_safe
def overview(request):
    """The model's out-of-sample scores, the threshold advice and the costs of a bid."""
    _require_review(request.user)
    model = WinModel.latest()
    advice = services.threshold_advice()
    costs = {cost.segment_id: cost for cost in BidCost.objects.select_related("segment")}
    segments = [(segment, costs.get(segment.pk)) for segment in Segment.objects.all()]
    return render(request, "winloss/overview.html", {
        "model": model, "advice": advice, "segments": segments, "default_cost": costs.get(None),
        "may_fit": may_fit(request.user), "form": BidCostForm(),
    })


@login_required
@require_POST
def fit(request):
    """Fitting grows with the history, so it runs as a background task; too little history is said at once."""
    if not may_fit(request.user):
        raise PermissionDenied
    try:
        job = tasks.start_fit(request.user)
    except services.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("winloss:overview")
    return redirect(job)


@login_required
@require_POST
def bid_cost(request):
    if not may_fit(request.user):
        raise PermissionDenied
    form = BidCostForm(request.POST)
    if form.is_valid():
        try:
            services.set_bid_cost(request.user, form.cleaned_data["segment"], form.cleaned_data["amount"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            from kundennetz.core import jobs

            from .tasks import refresh_win_scores

            jobs.enqueue(refresh_win_scores)  # every expected value moves: in the background
            messages.success(request, _("The cost of a bid was saved."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("winloss:overview")


@login_required
@require_safe
def no_bid(request):
    """Deals we declined, and what became of them where known."""
    _require_review(request.user)
    page = Paginator(services.no_bid_review(request.user), 50).get_page(request.GET.get("page"))
    rows = []
    for opportunity in page:
        outcome = getattr(opportunity, "declined_outcome", None) if _has(opportunity, "declined_outcome") else None
        score = opportunity.win_score if _has(opportunity, "win_score") else None
        checklist = opportunity.checklist if _has(opportunity, "checklist") else None
        rows.append({"opportunity": opportunity, "outcome": outcome, "score": score, "checklist": checklist,
                     "form": DeclinedOutcomeForm(initial={"outcome": outcome.outcome if outcome else "unknown",
                                                          "note": outcome.note if outcome else "",
                                                          "version": outcome.version if outcome else 0},
                                                 prefix=f"o{opportunity.pk}")})
    return render(request, "winloss/no_bid.html", {"page": page, "rows": rows,
                                                   "counts": services.no_bid_counts(),
                                                   "may_change": not request.user.is_observing})


@login_required
@require_POST
def declined_outcome(request, pk):
    opportunity = get_for(Opportunity.objects.select_related("stage"), request.user, pk, CHANGE)
    form = DeclinedOutcomeForm(request.POST, prefix=f"o{pk}")
    if form.is_valid():
        try:
            services.record_declined_outcome(opportunity, request.user, form.cleaned_data["outcome"],
                                             form.cleaned_data["note"], based_on=form.cleaned_data["version"])
        except services.StaleOutcome as stale:
            # The list shows theirs now; the message keeps what the user entered, so nothing typed is lost.
            messages.error(request, _("Someone else saved what became of “%(title)s” in the meantime: "
                                      "%(theirs)s. Yours was: %(yours)s. Enter yours again to replace theirs.")
                           % {"title": opportunity.title, "theirs": _outcome_text(stale.current.outcome,
                                                                                  stale.current.note),
                              "yours": _outcome_text(form.cleaned_data["outcome"], form.cleaned_data["note"])})
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Saved what became of “%(title)s”.") % {"title": opportunity.title})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("winloss:no_bid")


def _outcome_text(outcome: str, note: str) -> str:
    label = str(dict(DeclinedOutcome.Outcome.choices).get(outcome, outcome))
    return f"{label} – {note}" if note else label


def _has(obj, name: str) -> bool:
    try:
        return getattr(obj, name) is not None
    except Exception:  # a reverse one-to-one without a row
        return False
