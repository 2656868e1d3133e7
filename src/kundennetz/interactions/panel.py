"""The consistency panel of an account's page: timeline, measures, score with reasons, and the quick log form.

Built in one place for the three ways it is shown: inside the account page (the `consistency_panel`
template tag), alone for HTMX (paging, another period, after logging), and after a failed log
without JavaScript.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kundennetz.core.permissions import ADD, CHANGE, can
from kundennetz.domain import consistency as dc

from . import services
from .forms import InteractionForm
from .models import Interaction

TIMELINE_PAGE_SIZE = 10
TOP_REASONS = 3


def timeline(account):
    """The account's interactions, newest first, with everything a row shows in a constant number of queries."""
    return (Interaction.objects.filter(account=account)
            .select_related("opportunity", "created_by")
            .prefetch_related("our_people", "contacts", "core_messages")
            .order_by("-date", "-id"))


def _measures(result: dc.AccountConsistency) -> list[tuple[str, list[tuple[str, str]]]]:
    """The figures behind the score, grouped as on the page: (heading, [(label, value)])."""
    from kundennetz.core.formatting import format_number, format_percent

    cont, cad, msg = result.continuity, result.cadence, result.messages
    dash = "–"

    def days(value):
        return dash if value is None else _("%(days)s days") % {"days": format_number(value)}

    def share(value):
        return dash if value is None else format_percent(100 * value, 0)

    return [
        (_("Continuity"), [
            (_("Responsible since"), formats.date_format(cont.manager_since, "SHORT_DATE_FORMAT")
             if cont.manager_since else dash),
            (_("Tenure"), days(cont.tenure_days)),
            (_("Changes in the period"), format_number(cont.changes_in_period)),
            (_("Changes in %(months)s months") % {"months": cont.window_months}, format_number(cont.changes_in_window)),
            (_("Took part in the contacts"), share(cont.presence)),
        ]),
        (_("Cadence"), [
            (_("Contacts held / planned in the period"), f"{format_number(cad.held, 0 if float(cad.held).is_integer() else 1)} / "
                                           f"{format_number(cad.planned_due)}"),
            (_("Longest gap"), days(cad.longest_gap_days)),
            (_("Since the last contact"), days(cad.days_since_last_contact)),
            (_("Key people not met"), ", ".join(g.name for g in cad.key_people_gaps) or dash),
            (_("Quarters below the minimum"), f"{len(cad.quarters_below)} / {cad.quarters_judged}"),
        ]),
        (_("Core messages"), [
            (_("With a current core message"), share(msg.share)),
            (_("Outside the current messages"), format_number(msg.outside_interactions)),
            (_("Steadiness"), share(msg.steadiness)),
        ]),
    ]


def panel_context(request, account, *, form=None, saved=None) -> dict:
    user = request.user
    params = request.GET if request.method == "GET" else request.POST
    period_key = params.get("period") if params.get("period") in services.PERIOD_CHOICES else "12m"
    today = timezone.localdate()
    period = services.period_for(period_key, today)
    view = services.account_consistency(account, period, today)
    result = view.current
    lang = services.reason_language()
    page = Paginator(timeline(account), TIMELINE_PAGE_SIZE).get_page(params.get("ipage"))
    can_add = can(user, ADD, account)
    if form is None and can_add:
        form = InteractionForm(user=user, account=account)
    return {
        "account": account,
        "result": result,
        "score": result.score,
        "delta": view.delta, "first_score": view.is_first_score,
        "previous": view.previous,
        "reasons": [(services.reason_text(r, lang), r.impact) for r in result.score.top(TOP_REASONS)],
        "more_reasons": [(services.reason_text(r, lang), r.impact) for r in result.score.top(99)[TOP_REASONS:]],
        "notes": [services.reason_text(r, lang) for r in result.score.notes],
        "measures": _measures(result),
        "planned": services.planned_figure(account.pk, today),
        "due": [services.reason_text(d.reason, lang) for d in view.due],
        "period": period,
        "period_key": period_key,
        "period_labels": services.period_labels(),
        "page": page,
        "interactions": page.object_list,
        "form": form,
        "can_add": can_add,
        # An interaction is changed by whoever may change its account (`restrict` via account_lookup).
        "can_change": can(user, CHANGE, account),
        "saved": saved,
        "page_size": settings.KUNDENNETZ_PAGE_SIZE,
    }
