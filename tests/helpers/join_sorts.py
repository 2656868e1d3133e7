"""The lists' sorts by another record, as the tests state them: the order the list shows, the order of the
join computed afresh from the names (German order by `domain.text.sort_key`, records without a value last
either way, ties by id), and every copied key (accounts.sortkeys) that is off."""

from django.test import RequestFactory
from django.utils import translation

from kundennetz.accounts.filters import AccountFilter, OpportunityFilter
from kundennetz.accounts.models import Account, Opportunity
from kundennetz.domain.text import sort_key


def _person(user) -> str:
    return sort_key(user.last_name, user.first_name)


# (list, sort) → (the list's model and filter set, the related records read, the key of one record).
SORTS = {
    ("account", "owner"): (Account, AccountFilter, ("owner",), lambda row, language: _person(row.owner)),
    ("account", "segment"): (Account, AccountFilter, ("segment",), lambda row, language: (
        sort_key(getattr(row.segment, f"name_{language}")) if row.segment_id else None)),
    ("opportunity", "account"): (Opportunity, OpportunityFilter, ("account",), lambda row, language: sort_key(
        row.account.name)),
    ("opportunity", "stage"): (Opportunity, OpportunityFilter, ("stage",), lambda row, language: row.stage.order),
    ("opportunity", "owner"): (Opportunity, OpportunityFilter, ("owner",), lambda row, language: _person(row.owner)),
}
LANGUAGES = ("de", "en")


def listed(kind: str, sort: str, user, language: str = "de") -> list[int]:
    """The ids in the order the list shows them to `user` (the filter set the page uses, every page)."""
    model, filterset, _related, _key = SORTS[(kind, sort.lstrip("-"))]
    with translation.override(language):
        request = RequestFactory().get("/", {"sort": sort})
        request.user = user
        found = filterset({"sort": sort}, queryset=model.objects.restrict(user), request=request).qs
        return list(found.values_list("pk", flat=True))


def expected(kind: str, sort: str, user, language: str = "de") -> list[int]:
    """The ids in the order of the join, from the referenced records' names as they are now."""
    model, _filterset, related, key = SORTS[(kind, sort.lstrip("-"))]
    descending = sort.startswith("-")
    rows = [(key(row, language), row.pk) for row in model.objects.restrict(user).select_related(*related)]
    present = sorted((pair for pair in rows if pair[0] is not None), reverse=descending)
    empty = sorted((pair for pair in rows if pair[0] is None), reverse=descending)
    return [pk for _key, pk in present + empty]


def misordered(user) -> list[str]:
    """Every join sort, both ways and in both languages, whose list order is not the join's."""
    wrong = []
    for kind, column in SORTS:
        for sort in (column, f"-{column}"):
            for language in LANGUAGES if column == "segment" else LANGUAGES[:1]:
                shown, wanted = listed(kind, sort, user, language), expected(kind, sort, user, language)
                if shown != wanted:
                    wrong.append(f"{kind} {sort} ({language}): {shown[:12]} != {wanted[:12]}")
    return wrong


def off_copies() -> list[tuple]:
    """Every copied key (trashed rows too) that differs from the one its referenced record gives now."""
    off = []
    for a in Account.all_objects.select_related("owner", "segment"):
        segment = (sort_key(a.segment.name_de), sort_key(a.segment.name_en)) if a.segment_id else (None, None)
        want, got = (_person(a.owner), *segment), (a.owner_sort, a.segment_sort_de, a.segment_sort_en)
        if want != got:
            off.append(("account", a.pk, got, want))
    for o in Opportunity.all_objects.select_related("account", "owner", "stage"):
        want = (sort_key(o.account.name), _person(o.owner), o.stage.order)
        got = (o.account_sort, o.owner_sort, o.stage_sort)
        if want != got:
            off.append(("opportunity", o.pk, got, want))
    return off
