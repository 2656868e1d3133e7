"""What every page of the network shares: list pages, delete confirmation, the account a form starts from.

Whether a user may act is decided by `core.permissions`; one record is loaded with its `get_for` (404
for a record outside the user's reach, 403 for a forbidden action on a visible one).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from kundennetz.core import keyset, paging
from kundennetz.core.paging import CappedPaginator
from kundennetz.core.permissions import ADD, VIEW, can_create, get_for, restrict

from ..models import Account

RESULTS_TARGET = "results"


def require_create(request) -> None:
    if not can_create(request.user):
        raise PermissionDenied


def preselected_account(request):
    """The account named in ?account= (a create form opened from an account's page):
    404 if the user cannot see it, 403 if they may not add records to it."""
    raw = request.GET.get("account") or ""
    if not raw.isdigit():
        return None
    return get_for(Account.objects.all(), request.user, raw, ADD)


def wants_results_only(request) -> bool:
    """An HTMX request for just the result table (live search, sorting, paging); a history restore
    needs the whole page."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-Target") == RESULTS_TARGET
            and not request.headers.get("HX-History-Restore-Request"))


# From this page on, "next" seeks after the last row instead of skipping rows (see core.keyset).
SEEK_FROM_PAGE = 10


class SeekPage:
    """A page reached by keyset: its rows, whether more follow, and the token of the next one."""

    number = None
    has_previous = True

    def __init__(self, rows, size, keys, paginator):
        self.object_list = rows[:size]
        self.has_next_rows = len(rows) > size
        self.next_token = keyset.token_after(self.object_list[-1], keys) if self.has_next_rows else ""
        self.paginator = paginator
        self.seek = True

    def has_next(self):
        return self.has_next_rows


def list_page(request, filterset, template: str, results_template: str, *, default_sort: str = ""):
    """Render a filtered, paginated list; HTMX requests for the results get only the result table.
    `default_sort` names the column the queryset's own ordering follows, so its header shows it.
    Early pages go by number; deeper ones by keyset (``after=``), so no page skips a million rows.

    The filter set's rows come unrestricted: the page restricts them to what the user may see, an
    account manager's account by account (``paging.by_account``: the cost follows their own rows, not the
    planner's guess of how many of a million rows are theirs)."""
    queryset = restrict(filterset.qs, request.user, VIEW)
    rows = paging.by_account(filterset.qs, request.user)
    size = settings.KUNDENNETZ_PAGE_SIZE
    # Counting stops at 10,000 ("more than 10,000"): no page counts a million rows.
    paginator = CappedPaginator(rows, size, cap=paging.COUNT_CAP)
    keys = keyset.ordering_of(queryset)
    sought = keyset.seek(queryset, keys, request.GET["after"]) if keys and request.GET.get("after") else None
    if sought is not None:
        page = SeekPage(list(sought[: size + 1]), size, keys, paginator)
    else:
        page = paginator.get_page(request.GET.get("page"))
        page.seek, page.next_token = False, ""
        # The last page of a capped count is not the list's end: it goes on by keyset too.
        more = page.has_next() or paginator.capped
        if keys and page.number >= SEEK_FROM_PAGE and more and page.object_list:
            page.next_token = keyset.token_after(list(page.object_list)[-1], keys)
    fragment = wants_results_only(request)
    response = render(request, results_template if fragment else template, {
        "filter": filterset,
        "page": page,
        "records": page.object_list,
        "sort_param": request.GET.get("sort", ""),
        "current_sort": request.GET.get("sort") or default_sort,
        "fragment": fragment,
        "live": True,
    })
    # The page and its result fragment share a URL; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def confirm_delete(request, record, *, done_url: str, consequences: list[str] | None = None,
                   message: str):
    """Ask before deleting; on POST move the record (and what hangs off it) to the trash."""
    if request.method == "POST":
        record.soft_delete(request.user)
        messages.success(request, message)
        return redirect(done_url)
    return render(request, "accounts/confirm_delete.html", {
        "record": record,
        "verbose_name": record._meta.verbose_name,
        "consequences": consequences or [],
    })
