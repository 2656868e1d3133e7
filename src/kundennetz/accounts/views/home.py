"""The home page: how many accounts and opportunities the user sees, and the decisions coming up.

The counts stop at `core.paging.COUNT_CAP` ("more than 10,000"): a sales head of a million accounts
needs to know there are many, not to wait for the database to count each one on every visit.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from kundennetz.core.paging import capped_count, rows_between

from ..models import Account, Opportunity, Stage


@login_required
@require_safe
def home(request):
    accounts = Account.objects.restrict(request.user, "view")
    opportunities = Opportunity.objects.restrict(request.user, "view")
    # By the stages' ids (a handful), so that each count reads the (stage, not in the trash) index.
    stages: dict[str, list[int]] = {Stage.Type.OPEN: [], Stage.Type.WON: [], Stage.Type.LOST: []}
    for kind, pk in Stage.objects.filter(type__in=stages).values_list("type", "pk"):
        stages[kind].append(pk)
    by_type = {kind: capped_count(opportunities.filter(stage_id__in=ids)) for kind, ids in stages.items()}
    # The ten ids first (an account manager's come from an index alone), then those ten rows.
    upcoming = rows_between(opportunities.filter(stage_id__in=stages[Stage.Type.OPEN],
                                                 expected_decision_date__isnull=False)
                            .select_related("account", "stage").order_by("expected_decision_date", "id"),
                            0, 10, defer_from=0)
    return render(request, "accounts/home.html", {
        "account_count": capped_count(accounts),
        "counts": by_type,
        "upcoming": upcoming,
        "today": timezone.localdate(),
    })
