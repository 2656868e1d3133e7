"""Search, filters and column sorting of the account, contact and opportunity lists.

Every choice offered (owners, accounts, industries) comes from the records the user may see, so that a
filter never reveals a name outside their reach. Sorting accepts only the whitelisted columns.
"""

from collections.abc import Callable

import django_filters
from django import forms
from django.db import connections
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kundennetz.core.choosers import ChooserSelect
from kundennetz.core.keyset import nullable
from kundennetz.core.models import User
from kundennetz.core.numberfields import NumberField
from kundennetz.core.permissions import sees_every_account
from kundennetz.domain.text import search_terms

from . import fts
from .models import Account, Contact, Opportunity, Recommendation, Segment, Stage
from .permissions import visible_owners


class PercentFilter(django_filters.NumberFilter):
    """A percentage typed as people type it ("35,5", "35,5 %")."""

    field_class = NumberField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("percent", True)
        super().__init__(*args, **kwargs)

NOT_OPENED = "none"


def search_words(queryset, kind: str = "", words=None, value: str = ""):
    """Every word must appear in the record's folded search text (so "muster bern" finds Muster AG in Bern,
    and "zurich" finds Zürich): one column, served by a trigram index on PostgreSQL (pg_trgm) and by an
    FTS5 trigram index on SQLite (accounts/fts.py) for words of three characters or more."""
    terms = search_terms(" ".join(words) if words is not None else value)
    if not terms:
        return queryset
    return queryset.filter(search_condition(queryset.model, terms, queryset.db))


def search_q(model, value: str | None, using: str = "default") -> Q:
    """``search_words`` as a condition (the API's filters combine conditions): every word of `value`."""
    terms = search_terms(value or "")
    return search_condition(model, terms, using) if terms else Q()


def search_condition(model, terms: list[str], using: str = "default") -> Q:
    """The condition of `search_words` for the folded `terms` (see ``domain.text.search_terms``) on a
    searchable model's table, as a Q to combine with others (an interaction's own text or its account)."""
    table = model._meta.db_table
    indexed = [word for word in terms if len(word) >= fts.MIN_WORD]
    condition = Q()
    if connections[using].vendor == "sqlite" and table in fts.TABLES and indexed:
        condition &= Q(fts.Matches(table, indexed))
        terms = [word for word in terms if len(word) < fts.MIN_WORD]
    for word in terms:
        condition &= Q(search_text__contains=word)
    return condition


def _search(queryset, fields: list[str], value: str):
    return search_words(queryset, value=value)


def _in_language(name: str) -> str:
    """The column `name` of the active language (``name_de`` or ``name_en``)."""
    return f"{name}_en" if (get_language() or "").startswith("en") else f"{name}_de"


def _search_box():
    return forms.SearchInput(attrs={"autocomplete": "off"})


class SortFilter(django_filters.OrderingFilter):
    """Sort by one whitelisted column; a column may span several fields, empty values always come last,
    and the primary key breaks ties so that paging never shows a row twice."""

    def __init__(self, *args, columns: dict[str, tuple], live: dict[str, str] | None = None, **kwargs):
        self.columns = columns
        # Columns read from a related record that is never in the trash here (restrict() leaves those out):
        # said again on the relation, so that the database can walk that record's index of live rows.
        self.live = live or {}
        kwargs.setdefault("label", _("Sort by"))
        super().__init__(*args, fields={key: key for key in columns}, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value[:1]:
            descending = param.startswith("-")
            for field in self.columns[param.lstrip("-")]:
                field = field() if callable(field) else field
                expression = F(field)
                if not nullable(qs.model, field):
                    # No NULLs to place: a plain order, which an index (NULLs first in SQLite) can serve.
                    ordering.append(expression.desc() if descending else expression.asc())
                    continue
                ordering.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
        relation = self.live.get(value[0].lstrip("-"))
        if relation:
            qs = qs.filter(**{f"{relation}__deleted_at__isnull": True})
        # The tie-breaker runs the same way, so that one index read backwards serves a descending sort.
        return qs.order_by(*ordering, "-pk" if descending else "pk")


class RestrictedFilterSet(django_filters.FilterSet):
    """A filter set over the records the request's user may see; choices are narrowed to those."""

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.user = request.user
        self.narrow_choices()

    def narrow_choices(self) -> None:
        """Limit the choices of related-record filters to what the user may see."""

    def visible_accounts(self):
        return Account.objects.restrict(self.user, "view").only("pk", "name")


# Where the strategy filter reads the strategies' names: the portfolio's, handed over by the app above this
# one that reads them (interactions, in its AppConfig.ready) through `offer_strategy_names`.
_strategy_names: list[Callable[[], dict[str, str]]] = []


def offer_strategy_names(names: Callable[[], dict[str, str]]) -> None:
    """Let the strategy filter offer the strategies ``names()`` gives (key -> name in the active language)."""
    _strategy_names[:] = [names]


def _strategy_choices() -> list[tuple[str, str]]:
    """The portfolio's strategies by name (none until an app offers them)."""
    if not _strategy_names:
        return []
    return sorted(_strategy_names[0]().items(), key=lambda item: item[1].lower())


class AccountFilter(RestrictedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=_search_box(),
                                  help_text=_("Name, city or industry"))
    segment = django_filters.ModelChoiceFilter(label=_("Customer group"), queryset=Segment.objects.all(),
                                               empty_label=_("All customer groups"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Account.Status.choices,
                                         empty_label=_("All statuses"))
    owner = django_filters.ModelChoiceFilter(label=_("Account manager"), queryset=User.objects.none(),
                                             empty_label=_("All account managers"),
                                             widget=ChooserSelect("accounts:owner_choices"))
    industry = django_filters.ChoiceFilter(label=_("Industry"), empty_label=_("All industries"), choices=[])
    # Today's strategy as stored on the account (kept by the portfolio snapshot and the overrides, see
    # planning.stored): one index instead of deciding the rule for every account of the list.
    strategy = django_filters.ChoiceFilter(label=_("Strategy"), empty_label=_("All strategies"), choices=[],
                                           method="by_strategy")
    sort = SortFilter(columns={
        "name": ("name_sort",),
        "city": ("city",),
        # Another record's name: its sort key copied onto the account (accounts.sortkeys), served by an index.
        "segment": (lambda: _in_language("segment_sort"),),
        "status": ("status", "name_sort"),
        "owner": ("owner_sort",),
        # In francs, whatever the account's currency (Account.revenue_base).
        "revenue": ("revenue_base",),
        "potential": ("potential",),
        "planned": ("planned_contacts",),
    })

    class Meta:
        model = Account
        fields = []

    def narrow_choices(self):
        self.filters["owner"].queryset = visible_owners(self.user)
        # Evaluated when the form renders or validates, not when the filter set is built.
        self.filters["strategy"].extra["choices"] = _strategy_choices
        self.filters["industry"].extra["choices"] = lambda: [(name, name) for name in industries(self.user)]

    def search(self, queryset, name, value):
        return _search(queryset, ["name", "city", "industry"], value)

    def by_strategy(self, queryset, name, value):
        return queryset.filter(strategy=value)


def industries(user) -> list[str]:
    """The industries of the accounts `user` sees, in the database's order. Whoever sees every account gets
    them by skipping through the index of live accounts' industries (one step per industry, not a pass over
    a million accounts); an account manager's come from their own accounts."""
    if not sees_every_account(user):
        return list(Account.objects.restrict(user, "view").exclude(industry="").order_by("industry")
                    .values_list("industry", flat=True).distinct())
    table = Account._meta.db_table
    # Served by the partial index (industry, id) WHERE deleted_at IS NULL (account_live_industry).
    following = f"SELECT MIN(industry) FROM {table} WHERE deleted_at IS NULL AND industry > %s"
    with connections[Account.objects.db].cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE kn_found(value) AS (SELECT ({following}) "
            f"UNION ALL SELECT ({following.replace('%s', 'kn_found.value')}) FROM kn_found "
            f"WHERE kn_found.value IS NOT NULL) SELECT value FROM kn_found WHERE value IS NOT NULL", [""])
        return [value for (value,) in cursor.fetchall()]


class ContactFilter(RestrictedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=_search_box(),
                                  help_text=_("Name, function, e-mail or account"))
    buying_role = django_filters.ChoiceFilter(label=_("Buying-centre role"), choices=Contact.BuyingRole.choices,
                                              empty_label=_("All roles"))
    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=Account.objects.none(),
                                               empty_label=_("All accounts"),
                                               widget=ChooserSelect("accounts:account_choices"))
    sort = SortFilter(columns={
        "name": ("last_name_sort",),
        "account": ("account__name_sort",),
        "function": ("function",),
        "role": ("buying_role", "last_name_sort"),
    }, live={"account": "account"})

    class Meta:
        model = Contact
        fields = []

    def narrow_choices(self):
        self.filters["account"].queryset = self.visible_accounts()

    def search(self, queryset, name, value):
        return _search(queryset, ["first_name", "last_name", "function", "email", "account__name"], value)


class OpportunityFilter(RestrictedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=_search_box(),
                                  help_text=_("Title or account"))
    stage = django_filters.ModelChoiceFilter(label=_("Stage"), queryset=Stage.objects.all(),
                                             empty_label=_("All stages"))
    stage_type = django_filters.ChoiceFilter(label=_("Stage type"), field_name="stage__type",
                                             choices=Stage.Type.choices, empty_label=_("All types"))
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=User.objects.none(),
                                             empty_label=_("All owners"),
                                             widget=ChooserSelect("accounts:owner_choices"))
    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=Account.objects.none(),
                                               empty_label=_("All accounts"),
                                               widget=ChooserSelect("accounts:account_choices"))
    recommendation = django_filters.ChoiceFilter(
        label=_("Checklist says"), choices=[*Recommendation.choices, (NOT_OPENED, _("Checklist not opened"))],
        empty_label=_("All recommendations"), method="filter_recommendation")
    threads = django_filters.ChoiceFilter(
        label=_("Threads"), method="filter_threads", empty_label=_("Any number of threads"),
        choices=[("single", _("Single-threaded only")), ("multi", _("Two threads or more"))],
        help_text=_("Single-threaded: at most one of its people is known well enough by one of ours."))
    sort = SortFilter(columns={
        "title": ("title",),
        # Another record's key copied onto the opportunity (accounts.sortkeys), served by an index.
        "account": ("account_sort",),
        "stage": ("stage_sort",),
        "recommendation": ("recommendation",),
        "open_points": ("open_points",),
        "owner": ("owner_sort",),
        "volume": ("expected_volume",),
        "decision": ("expected_decision_date",),
        # The win score held on the opportunity (accounts.sortkeys, HELD), served by an index.
        "win": ("win_probability",),
        "value": ("win_expected_value",),
    })
    min_win = PercentFilter(label=_("Win probability at least (%)"), method="filter_min_win",
                            min_value=0, max_value=100)

    class Meta:
        model = Opportunity
        fields = []

    def narrow_choices(self):
        self.filters["owner"].queryset = visible_owners(self.user)
        self.filters["account"].queryset = self.visible_accounts()

    def search(self, queryset, name, value):
        return _search(queryset, ["title", "account__name"], value)

    def filter_min_win(self, queryset, name, value):
        if value is None:
            return queryset
        value = max(0, min(100, value))
        return queryset.filter(win_probability__gte=float(value) / 100)

    def filter_threads(self, queryset, name, value):
        # From the stored network analysis (kept in step with relations and people involved).
        return queryset.filter(network__single_threaded=(value == "single"))

    def filter_recommendation(self, queryset, name, value):
        # Read from the opportunity's own row (kept by the qualification app), not through a join.
        if value == NOT_OPENED:
            return queryset.filter(recommendation="")
        return queryset.filter(recommendation=value)
