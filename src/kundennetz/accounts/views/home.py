"""The home page: how many accounts and opportunities the user sees, and the decisions coming up."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..models import Account, Opportunity, Stage


@login_required
@require_safe
def home(request):
    accounts = Account.objects.restrict(request.user, "view")
    opportunities = Opportunity.objects.restrict(request.user, "view")
    by_type = opportunities.aggregate(
        open=Count("id", filter=Q(stage__type=Stage.Type.OPEN)),
        won=Count("id", filter=Q(stage__type=Stage.Type.WON)),
        lost=Count("id", filter=Q(stage__type=Stage.Type.LOST)),
    )
    upcoming = (opportunities.filter(stage__type=Stage.Type.OPEN, expected_decision_date__isnull=False)
                .select_related("account", "stage").order_by("expected_decision_date")[:10])
    return render(request, "accounts/home.html", {
        "account_count": accounts.count(),
        "counts": by_type,
        "upcoming": upcoming,
        "today": timezone.localdate(),
    })
