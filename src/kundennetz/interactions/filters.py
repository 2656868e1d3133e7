"""Searching interactions through indexes, never ``LIKE '%x%'`` over every row.

An interaction is found by its own folded topics and note (``Interaction.search_text``, the accounts' search
mechanism: FTS5 on SQLite, a trigram GIN index on PostgreSQL, see ``accounts.filters.search_words``) and,
on the list page, by its account's name: the accounts whose name holds every word, found through the
accounts' own search index, and then their interactions through the (account, date) index.
"""

from django.db.models import Q

from kundennetz.accounts.filters import search_condition, search_words
from kundennetz.accounts.models import Account
from kundennetz.domain.text import search_terms

from .models import Interaction

# Up to this many accounts of that name go to the database as a list of ids: PostgreSQL can then read
# both sides of "own text or account" from an index each and merge them (a BitmapOr), where a subquery
# would leave it walking every interaction. More accounts than that: a common name, met soon by walking
# the date index, and a list that long would cost more than it saves.
ACCOUNT_IDS_MAX = 1_000


def search_interactions(queryset, value: str | None, *, account_names: bool = False):
    """The interactions of `queryset` whose topics and note hold every word of `value` (folded: "zurich"
    finds "Zürich") or, with `account_names`, whose account's name holds every word. An empty search
    changes nothing."""
    terms = search_terms(value)
    if not terms:
        return queryset
    condition = search_condition(Interaction, terms, queryset.db)
    if account_names:
        condition |= Q(account_id__in=accounts_named(terms, queryset.db))
    return queryset.filter(condition)


def accounts_named(terms: list[str], using: str = "default"):
    """The live accounts whose name holds every folded word of `terms`: a list of ids, or a subquery when
    there are more than ACCOUNT_IDS_MAX. Found through the accounts' search index (name, city, industry),
    then narrowed to the name by its folded sort key."""
    accounts = search_words(Account.objects.using(using).all(), words=terms)
    for word in terms:
        accounts = accounts.filter(name_sort__contains=word)
    ids = accounts.order_by().values_list("pk", flat=True)
    found = list(ids[:ACCOUNT_IDS_MAX + 1])
    return found if len(found) <= ACCOUNT_IDS_MAX else ids
