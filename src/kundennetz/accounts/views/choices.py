"""Chooser endpoints: the first matches for what someone types into an account, contact or owner chooser.

Each answers with at most `CHOOSER_LIMIT` records the user may see (or, with ``action=add``, add records
to), found by the same search as the lists, in name order; one query, whatever the size of the network.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kundennetz.core.choosers import CHOOSER_LIMIT, chooser_response, kept_ids, term_words
from kundennetz.core.models import User
from kundennetz.core.permissions import ADD, VIEW, restrict
from kundennetz.core.roles import Role

from ..filters import search_words
from ..models import Account, Contact
from ..permissions import may_choose_owner, visible_owners


def _first(queryset, label):
    rows = list(queryset[:CHOOSER_LIMIT + 1])
    return [(obj.pk, label(obj)) for obj in rows[:CHOOSER_LIMIT]], len(rows) > CHOOSER_LIMIT


@login_required
@require_safe
def account_choices(request):
    action = ADD if request.GET.get("action") == ADD else VIEW
    queryset = search_words(restrict(Account.objects.all(), request.user, action), "account", term_words(request))
    rows, more = _first(queryset.order_by("name_sort", "pk").only("pk", "name", "city"),
                        lambda a: f"{a.name} · {a.city}" if a.city else a.name)
    return chooser_response(request, rows, more=more, empty_label=_("All accounts") if action == VIEW
                            else "---------")


@login_required
@require_safe
def contact_choices(request):
    queryset = restrict(Contact.objects.all(), request.user, VIEW)
    account = request.GET.get("account") or ""
    if account.isdigit() and len(account) < 19:
        queryset = queryset.filter(account_id=int(account))
    queryset = search_words(queryset, "contact", term_words(request)).select_related("account")
    rows, more = _first(queryset.order_by("last_name_sort", "first_name", "pk"),
                        lambda c: f"{c} · {c.account.name}")
    return chooser_response(request, rows, more=more, empty_label="---------")


@login_required
@require_safe
def owner_choices(request):
    """Owners to filter by (`scope=visible`, default), account managers to hand a record to
    (`scope=managers`, for those who may), account managers to put on an account's team (`scope=team`)
    or our people at an interaction (`scope=people`: every active user). A multiple chooser sends the
    ones it holds (``keep``): they come back first and chosen."""
    scope = request.GET.get("scope")
    empty = "---------"
    if scope == "managers" and may_choose_owner(request.user):
        queryset = User.objects.filter(is_active=True, role=Role.ACCOUNT_MANAGER)
    elif scope == "team":
        queryset = User.objects.filter(is_active=True, role=Role.ACCOUNT_MANAGER)
    elif scope == "people":
        queryset = User.objects.filter(is_active=True)
    else:
        queryset = visible_owners(request.user)
        empty = _("All account managers")
    kept = kept_ids(request)
    kept_rows = [(u.pk, str(u)) for u in queryset.filter(pk__in=kept).order_by("last_name", "first_name", "pk")]
    for word in term_words(request):
        queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word)
                                   | Q(username__icontains=word))
    rows, more = _first(queryset.order_by("last_name", "first_name", "pk"), str)
    return chooser_response(request, rows, more=more, empty_label=empty, kept=kept_rows)
