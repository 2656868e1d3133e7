"""Accounts, contacts, competitors, opportunities, stages and closing reasons — the records of the network."""

from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kundennetz.core.models import ActiveQuerySet, SoftDeleteModel, SortKeyed, SortKeyQuerySet, TrackedModel, TranslatedName
from kundennetz.core.permissions import by_role, can_create, is_signed_in, may_edit_settings
from kundennetz.domain import pursuit as pursuit_rules
from kundennetz.domain import qualification as qualification_rules
from kundennetz.domain.money import to_base
from kundennetz.domain.text import search_text, sort_key

MONEY = {"max_digits": 14, "decimal_places": 2, "null": True, "blank": True,
         "validators": [MinValueValidator(Decimal("0"))]}
PERCENT = {"max_digits": 5, "decimal_places": 2, "null": True, "blank": True,
           "validators": [MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))]}


def exchange_rates() -> dict[str, float]:
    """Francs per unit of each currency in force (the tunable ExchangeRates)."""
    from kundennetz.core import tunables
    from kundennetz.core.tunables.schemas import ExchangeRates

    return tunables.get(ExchangeRates).rates()


class SearchableQuerySet(ActiveQuerySet):
    """Bulk writes keep the folded search and sort columns (see `domain.text`) in step, as `save()` does."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.refresh_search_fields()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        fields = list(fields)
        model = self.model
        if set(fields) & set(model.search_sources):
            for obj in objs:
                obj.refresh_search_fields()
            fields += [name for name in model.search_fields if name not in fields]
        done = super().bulk_update(objs, fields, *args, **kwargs)
        if model is Account and "name" in fields:
            refresh_account_dependants([obj.pk for obj in objs])
        return done


class SearchableManager(models.Manager.from_queryset(SearchableQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Searchable(models.Model):
    """A record found by `search_text` (folded: no accents, no case) and sorted by a German sort key."""

    search_sources: tuple[str, ...] = ()
    search_fields: tuple[str, ...] = ("search_text",)

    search_text = models.CharField(max_length=600, blank=True, default="", editable=False)

    objects = SearchableManager()
    all_objects = SearchableQuerySet.as_manager()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    def refresh_search_fields(self) -> None:
        raise NotImplementedError

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.search_sources):
            kwargs["update_fields"] = {*update_fields, *self.search_fields}
        super().save(*args, **kwargs)


def refresh_account_dependants(account_ids) -> None:
    """Contacts and opportunities carry their account's name in their search text: renew it."""
    for model in (Contact, Opportunity):
        rows = list(model.all_objects.filter(account_id__in=list(account_ids)).select_related("account"))
        for row in rows:
            row.refresh_search_fields()
        models.QuerySet.bulk_update(model.all_objects.all(), rows, ["search_text"], batch_size=1000)


class KeptByAdmin:
    """A list other records refer to (customer groups, stages, closing reasons): it belongs to no
    account; everyone signed in reads it, an admin keeps it (in the admin site)."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        return by_role(queryset, user, action, view=is_signed_in, change=may_edit_settings)


class PassesOnSortKeys(models.QuerySet):
    """Writes of records whose sort key many rows copy later (customer groups, stages: ``accounts.sortkeys``,
    deferred): after an ``update`` or ``bulk_update``, as after ``save()``, a task passes the new key on to
    the rows referring to them once the change is committed."""

    def update(self, **kwargs):
        ids = list(self.values_list("pk", flat=True))
        done = super().update(**kwargs)
        _queue_pass_on(self.model, ids, self.db)
        return done

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        done = super().bulk_update(objs, fields, *args, **kwargs)
        _queue_pass_on(self.model, [obj.pk for obj in objs], self.db)
        return done


def _queue_pass_on(model, ids, using) -> None:
    from .tasks import queue_pass_on

    queue_pass_on(model._meta.db_table, ids, using)


class SegmentQuerySet(PassesOnSortKeys, SortKeyQuerySet):
    pass


class Segment(KeptByAdmin, SortKeyed, TranslatedName):
    """A customer group: the ranges an opportunity's volume and margin are judged against."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    volume_min = models.DecimalField(_("minimum order volume"), **MONEY)
    volume_max = models.DecimalField(_("maximum order volume"), **MONEY)
    margin_target_pct = models.DecimalField(_("contribution margin target %"), **PERCENT)
    # Its name in German order, per language: how the account list sorts by customer group.
    name_sort_de = models.CharField(max_length=200, blank=True, default="", db_default="", editable=False)
    name_sort_en = models.CharField(max_length=200, blank=True, default="", db_default="", editable=False)

    sort_keys = {"name_sort_de": ("name_de",), "name_sort_en": ("name_en",)}
    objects = SegmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["name_de"]

    def clean(self):
        if self.volume_min is not None and self.volume_max is not None and self.volume_min > self.volume_max:
            raise ValidationError({"volume_max": _("The maximum must not be below the minimum.")})


class Account(TrackedModel, Searchable, SoftDeleteModel):
    """A company in our customer network."""

    account_lookup = ""
    # Columns derived on every save path (save, bulk_create, bulk_update): the folded search text, the
    # German sort key and the revenue in francs.
    search_sources = ("name", "city", "industry", "annual_revenue", "currency")
    search_fields = ("search_text", "name_sort", "revenue_base")

    class LegalForm(models.TextChoices):
        AG = "ag", _("AG (company limited by shares)")
        GMBH = "gmbh", _("GmbH (limited liability company)")
        COOPERATIVE = "cooperative", _("Cooperative")
        SOLE = "sole", _("Sole proprietorship")
        PARTNERSHIP = "partnership", _("Partnership")
        ASSOCIATION = "association", _("Association")
        FOUNDATION = "foundation", _("Foundation")
        PUBLIC = "public", _("Public body")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        CUSTOMER = "customer", _("Customer")
        FORMER = "former", _("Former customer")

    class Currency(models.TextChoices):
        CHF = "CHF", "CHF"
        EUR = "EUR", "EUR"
        USD = "USD", "USD"
        GBP = "GBP", "GBP"

    name = models.CharField(_("name"), max_length=200, db_index=True)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True, db_index=True)
    segment = models.ForeignKey(Segment, verbose_name=_("customer group"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="accounts")
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="CH",
                               help_text=_("Two-letter ISO code, e.g. CH, DE, AT."))
    website = models.URLField(_("website"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CHF)
    annual_revenue = models.DecimalField(_("annual revenue with us"), **MONEY)
    # The customer's own size: what it turns over in a year (imports' "revenue", "Annual Revenue").
    turnover = models.DecimalField(_("customer's annual turnover"), **MONEY)
    potential = models.DecimalField(_("estimated potential"), **MONEY)
    contribution_margin_pct = models.DecimalField(_("contribution margin %"), **PERCENT)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROSPECT,
                              db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                              on_delete=models.PROTECT, related_name="owned_accounts")
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("account team"), blank=True,
                                  related_name="team_accounts")
    external_id = models.CharField(_("external ID"), max_length=100, blank=True, db_index=True)
    name_sort = models.CharField(max_length=200, blank=True, default="", editable=False)
    # The sort keys of its owner (User.name_sort) and customer group (Segment.name_sort_de/_en; NULL without
    # one), copied onto the row by database triggers (accounts.sortkeys): the list sorts by them through
    # an index instead of sorting the whole join.
    owner_sort = models.CharField(max_length=200, blank=True, default="", db_default="", editable=False)
    segment_sort_de = models.CharField(max_length=200, null=True, blank=True, editable=False)
    segment_sort_en = models.CharField(max_length=200, null=True, blank=True, editable=False)
    # The revenue with us in francs at the exchange rates in force (tunable ExchangeRates), for sorting.
    revenue_base = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True, editable=False)
    # Figures decided elsewhere and stored here so that lists filter, sort and add up by index: today's
    # strategy (the portfolio's rule) and the planned contacts and hours of the current year (planning's
    # one figure). Written only by planning.stored.refresh_figures; "" / NULL until first computed.
    strategy = models.CharField(_("strategy"), max_length=60, blank=True, default="", db_default="",
                                editable=False)
    planned_contacts = models.FloatField(_("planned contacts"), null=True, blank=True, editable=False)
    planned_hours = models.FloatField(_("planned hours"), null=True, blank=True, editable=False)
    figures_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[team],
                                excluded_fields=["updated_at", "version", "search_text", "name_sort", "revenue_base", "strategy",
                                                 "planned_contacts", "planned_hours", "figures_at", "owner_sort",
                                                 "segment_sort_de", "segment_sort_en"])

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name_sort", "id"]
        indexes = [
            # The newest change, read by core.freshness by index (trashed rows too: trashing is a change).
            models.Index(fields=["updated_at"], name="account_changed"),
            models.Index(fields=["deleted_at", "name"]),
            models.Index(fields=["owner", "deleted_at"]),
            # An account manager's accounts counted from their ids without reading each row (the list count).
            models.Index(fields=["id"], name="account_live_id", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["segment", "deleted_at"]),
            # One per offered sort and filter, over the records not in the trash (see tests/speed).
            models.Index(fields=["name_sort", "id"], name="account_live_name", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["owner", "name_sort", "id"], name="account_live_owner_name", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["status", "name_sort", "id"], name="account_live_status_name", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["annual_revenue", "id"], name="account_live_revenue", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["revenue_base", "id"], name="account_live_revenue_base", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["potential", "id"], name="account_live_potential", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["city", "id"], name="account_live_city", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["industry", "id"], name="account_live_industry", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["strategy", "name_sort", "id"], name="account_live_strategy", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["planned_contacts", "id"], name="account_live_planned", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["owner_sort", "id"], name="account_live_owner_sort", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["segment_sort_de", "id"], name="account_live_segment_de", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["segment_sort_en", "id"], name="account_live_segment_en", condition=models.Q(deleted_at__isnull=True)),
            # The planning page adds up accounts per manager, strategy and customer group.
            models.Index(fields=["owner", "strategy", "segment"], name="account_live_plan_groups", condition=models.Q(deleted_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:account_detail", args=[self.pk])

    def clean(self):
        self.country = (self.country or "").upper()
        if len(self.country) != 2 or not self.country.isalpha():
            raise ValidationError({"country": _("Enter a two-letter ISO country code, e.g. CH.")})

    def trash_dependants(self):
        return [*Contact.all_objects.filter(account=self), *Opportunity.all_objects.filter(account=self)]

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_name = instance.__dict__.get("name")
        return instance

    def refresh_search_fields(self) -> None:
        self.search_text = search_text(self.name, self.city, self.industry)
        self.name_sort = sort_key(self.name)
        self.revenue_base = to_base(self.annual_revenue, self.currency, exchange_rates())

    def save(self, *args, **kwargs):
        renamed = self.pk is not None and getattr(self, "_loaded_name", self.name) != self.name
        super().save(*args, **kwargs)
        if renamed:
            refresh_account_dependants([self.pk])
        self._loaded_name = self.name


class Contact(TrackedModel, Searchable, SoftDeleteModel):
    """A person at an account, with their role in the buying centre."""

    account_lookup = "account"
    search_sources = ("first_name", "last_name", "function", "email", "account", "account_id")
    search_fields = ("search_text", "last_name_sort")

    class BuyingRole(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Decision maker")
        INFLUENCER = "influencer", _("Influencer")
        TECHNICAL_EVALUATOR = "technical_evaluator", _("Technical evaluator")
        USER = "user", _("User")
        GATEKEEPER = "gatekeeper", _("Gatekeeper")
        COACH = "coach", _("Coach")

    class Influence(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    class Attitude(models.TextChoices):
        SUPPORTER = "supporter", _("Supporter")
        NEUTRAL = "neutral", _("Neutral")
        OPPONENT = "opponent", _("Opponent")

    class Language(models.TextChoices):
        DE = "de", _("German")
        FR = "fr", _("French")
        IT = "it", _("Italian")
        EN = "en", _("English")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="contacts")
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    function = models.CharField(_("function"), max_length=150, blank=True)
    department = models.CharField(_("department"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.DE)
    buying_role = models.CharField(_("buying-centre role"), max_length=30, choices=BuyingRole.choices,
                                   blank=True)
    influence = models.CharField(_("influence"), max_length=10, choices=Influence.choices, blank=True)
    attitude = models.CharField(_("attitude toward us"), max_length=10, choices=Attitude.choices,
                                default=Attitude.NEUTRAL)
    reports_to = models.ForeignKey("self", verbose_name=_("reports to"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="reports")
    last_name_sort = models.CharField(max_length=200, blank=True, default="", editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", "version", "search_text", "last_name_sort"])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name_sort", "id"]
        indexes = [
            # The newest change, read by core.freshness by index (trashed rows too: trashing is a change).
            models.Index(fields=["updated_at"], name="contact_changed"),
            models.Index(fields=["account", "deleted_at"]),
            models.Index(fields=["last_name_sort", "id"], name="contact_live_name", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["account", "last_name_sort", "id"], name="contact_live_account_name", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["function", "id"], name="contact_live_function", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["buying_role", "last_name_sort", "id"], name="contact_live_role_name",
                         condition=models.Q(deleted_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("accounts:contact_detail", args=[self.pk])

    def refresh_search_fields(self) -> None:
        account = self.account.name if self.account_id else ""
        self.search_text = search_text(self.first_name, self.last_name, self.function, self.email, account)
        self.last_name_sort = sort_key(self.last_name, self.first_name)

    def clean(self):
        if self.email:
            self.email = self.email.strip().lower()
        if self.reports_to_id is not None:
            if self.reports_to_id == self.pk:
                raise ValidationError({"reports_to": _("A person cannot report to themselves.")})
            if self.account_id is not None and self.reports_to.account_id != self.account_id:
                raise ValidationError({"reports_to": _("The superior must work at the same account.")})


class Competitor(KeptByAdmin, TrackedModel):
    """A firm we compete with for opportunities."""

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Whoever creates records adds a competitor they meet; changing and removing is the admin's."""
        return by_role(queryset, user, action, view=is_signed_in, add=can_create, change=may_edit_settings)

    name = models.CharField(_("name"), max_length=200, unique=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Stage(KeptByAdmin, TranslatedName):
    """A step of the pipeline. Code looks at its type (and flags), never at its name."""

    class Type(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        NO_OFFER = "no_offer", _("No offer")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.OPEN)
    probability_pct = models.PositiveSmallIntegerField(_("default probability %"), default=0,
                                                       validators=[MaxValueValidator(100)])
    requires_pursuit_decision = models.BooleanField(
        _("requires a decision to pursue"), default=False,
        help_text=_("An opportunity can only enter this stage after the decision to pursue it."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = PassesOnSortKeys.as_manager()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["order", "id"]

    @property
    def is_closed(self) -> bool:
        return self.type != self.Type.OPEN


NOT_RECORDED = "Not recorded"  # the English name of the reason a historic lost deal gets when none is given


class ClosingReason(KeptByAdmin, TranslatedName):
    """Why an opportunity ended the way it did; required when it is lost."""

    applies_to = models.CharField(_("applies to"), max_length=10, choices=Stage.Type.choices,
                                  default=Stage.Type.LOST)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("closing reason")
        verbose_name_plural = _("closing reasons")
        ordering = ["applies_to", "order", "id"]

    @classmethod
    def not_recorded(cls) -> "ClosingReason":
        """The reason of a historic lost deal whose file gives none (seeded by a migration)."""
        reason, _created = cls.objects.get_or_create(
            name_en=NOT_RECORDED, applies_to=Stage.Type.LOST,
            defaults={"name_de": "Nicht erfasst", "order": 99})
        return reason


class Recommendation(models.TextChoices):
    """What a checklist recommends (``domain.qualification``), kept on the opportunity's own row."""

    OFFER = qualification_rules.OFFER, _("Make an offer")
    CLARIFY = qualification_rules.CLARIFY, _("Clarify with the customer")
    NO_OFFER = qualification_rules.NO_OFFER, _("No offer")


class Opportunity(TrackedModel, Searchable, SoftDeleteModel):
    """A possible order from an account, moving through the pipeline's stages."""

    account_lookup = "account"
    search_sources = ("title", "account", "account_id")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="opportunities")
    title = models.CharField(_("title"), max_length=200)
    need = models.TextField(_("need"), blank=True, help_text=_("The customer's need in their words."))
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT,
                              related_name="opportunities")
    expected_volume = models.DecimalField(_("expected volume"), **MONEY)
    expected_follow_up_volume = models.DecimalField(_("expected follow-up volume"), **MONEY)
    offer_price = models.DecimalField(_("offer price"), **MONEY)
    estimated_margin_pct = models.DecimalField(_("estimated contribution margin %"), **PERCENT)
    expected_decision_date = models.DateField(_("expected decision date"), null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="owned_opportunities")
    competitors = models.ManyToManyField(Competitor, verbose_name=_("competitors"), blank=True,
                                         related_name="opportunities")
    contacts = models.ManyToManyField(Contact, verbose_name=_("people involved"), blank=True,
                                      through="OpportunityContact", related_name="opportunities")
    closing_reason = models.ForeignKey(ClosingReason, verbose_name=_("closing reason"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="opportunities")
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    historic = models.BooleanField(
        _("historic"), default=False, db_default=False, editable=False,
        help_text=_("A deal closed before it was recorded here (imported with its outcome): it never went "
                    "through the pipeline, so the pursuit gate does not apply to it."))
    # The checklist's latest recommendation and open points, kept here by the qualification app whenever it
    # evaluates (empty: no checklist yet), so that the pipeline filters and sorts by them from one index.
    recommendation = models.CharField(_("recommendation"), max_length=10, blank=True, default="", editable=False)
    open_points = models.PositiveIntegerField(_("open points"), null=True, blank=True, editable=False)
    # The sort keys of its account (Account.name_sort), owner (User.name_sort) and stage (Stage.order), copied
    # onto the row by database triggers (accounts.sortkeys), so that the pipeline sorts by them by index.
    account_sort = models.CharField(max_length=200, blank=True, default="", db_default="", editable=False)
    owner_sort = models.CharField(max_length=200, blank=True, default="", db_default="", editable=False)
    stage_sort = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)
    # Its win score's probability and expected value (winloss), held here by triggers on the score's table
    # (accounts.sortkeys, HELD), so that the pipeline sorts and filters by them by index.
    win_probability = models.FloatField(null=True, blank=True, editable=False)
    win_expected_value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[competitors],
                                excluded_fields=["updated_at", "version", "search_text", "recommendation",
                                                 "open_points", "account_sort", "owner_sort", "stage_sort",
                                                 "win_probability", "win_expected_value"])

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The newest change, read by core.freshness by index (trashed rows too: trashing is a change).
            models.Index(fields=["updated_at"], name="opportunity_changed"),
            models.Index(fields=["account", "deleted_at"]),
            models.Index(fields=["stage", "deleted_at"]),
            models.Index(fields=["owner", "deleted_at"]),
            models.Index(fields=["created_at", "id"], name="opportunity_live_created", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["account", "created_at", "id"], name="opportunity_live_account", condition=models.Q(deleted_at__isnull=True)),
            # An account manager's home page, account by account from the index alone: the counts per stage
            # and the ids of the next decisions.
            models.Index(fields=["account", "stage", "expected_decision_date", "id"], name="opportunity_live_acct_stage",
                         condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["owner", "created_at", "id"], name="opportunity_live_owner", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["title", "id"], name="opportunity_live_title", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["expected_volume", "id"], name="opportunity_live_volume", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["expected_decision_date", "id"], name="opportunity_live_decision", condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["recommendation", "created_at", "id"], name="opportunity_live_recommend",
                         condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["recommendation", "id"], name="opportunity_live_rec_sort",
                         condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["open_points", "id"], name="opportunity_live_open",
                         condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["account_sort", "id"], name="opportunity_live_account_sort",
                         condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["owner_sort", "id"], name="opportunity_live_owner_sort",
                         condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["stage_sort", "id"], name="opportunity_live_stage_sort",
                         condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["win_probability", "id"], name="opportunity_live_win",
                         condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["win_expected_value", "id"], name="opportunity_live_win_value",
                         condition=models.Q(deleted_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accounts:opportunity_detail", args=[self.pk])

    def refresh_search_fields(self) -> None:
        self.search_text = search_text(self.title, self.account.name if self.account_id else "")

    def clean(self):
        errors = {}
        stage = self.stage if self.stage_id else None
        if stage is not None:
            # The closing date follows the stage: kept (or today) once closed, cleared while open.
            self.closed_on = (self.closed_on or timezone.localdate()) if stage.is_closed else None
        if stage is not None and stage.type == Stage.Type.LOST and self.closing_reason_id is None:
            errors["closing_reason"] = _("A lost opportunity needs a closing reason.")
        if self.closing_reason_id is not None and stage is not None and stage.type == Stage.Type.OPEN:
            errors["closing_reason"] = _("Only a closed opportunity has a closing reason.")
        elif (self.closing_reason_id is not None and stage is not None
              and self.closing_reason.applies_to != stage.type):
            errors["closing_reason"] = _("This closing reason does not fit the stage.")
        refusal = self.stage_refusal(historic=self.is_historic_record())
        if refusal is not None:
            errors["stage"] = refusal
        if errors:
            raise ValidationError(errors)

    def is_historic_record(self) -> bool:
        """Marked historic (an imported deal that is already closed; ``is_historic`` where the field
        exists): it carries no pursuit decision and is not held to the stage gates."""
        return bool(self.historic or getattr(self, "is_historic", False))

    def stage_refusal(self, *, historic: bool | None = None):
        """The translated reason why the opportunity may not enter its (new) stage, or None.

        The rule is ``domain.pursuit.stage_refusal``; checked in ``clean`` and again in ``save`` so
        that every path (form, API, import, admin, command) is held to it."""
        stage = self.stage if self.stage_id else None
        if stage is None or not self._stage_changes():
            return None
        if historic is None:
            historic = self.is_historic_record()
        code = pursuit_rules.stage_refusal(stage.type, stage.requires_pursuit_decision,
                                           self.latest_pursuit_decision() if self.pk else None,
                                           historic=historic)
        return STAGE_REFUSALS[code] if code else None

    def save(self, *args, **kwargs):
        # Below the forms, too: a record written without full_clean (a command, a script) is held to the
        # same gates; one created directly in a closed stage is a record of a deal already over.
        historic = self.is_historic_record() or (self._state.adding and self.stage_id and self.stage.is_closed)
        refusal = self.stage_refusal(historic=bool(historic))
        if refusal is not None:
            raise ValidationError({"stage": refusal})
        super().save(*args, **kwargs)


    def _stage_changes(self) -> bool:
        if self.pk is None:
            return True
        return Opportunity.all_objects.filter(pk=self.pk).values_list("stage_id", flat=True).first() != self.stage_id

    def latest_pursuit_decision(self) -> str | None:
        """The latest decision whether to pursue (recorded by the qualification app), or None."""
        decisions = apps.get_model("qualification", "PursuitDecision").objects.filter(opportunity_id=self.pk)
        return decisions.order_by("-decided_at", "-id").values_list("decision", flat=True).first()


STAGE_REFUSALS = {
    pursuit_rules.NEEDS_PURSUE: _("This stage needs a recorded decision to pursue the opportunity first "
                                  "(see its qualification checklist)."),
    pursuit_rules.NOT_PURSUED: _("It was decided not to pursue this opportunity: only “no offer” or “lost” are "
                                 "open until the decision is revised with a reason."),
}


class OpportunityContact(models.Model):
    """A person involved in an opportunity, with their role in this deal."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="involvements")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE,
                                related_name="involvements")
    role = models.CharField(_("role in this deal"), max_length=30, choices=Contact.BuyingRole.choices)
    account_lookup = "opportunity__account"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person involved")
        verbose_name_plural = _("people involved")
        constraints = [models.UniqueConstraint(fields=["opportunity", "contact"], name="unique_involvement")]

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_role_display()})"

    def clean(self):
        if self.contact_id and self.opportunity_id and self.contact.account_id != self.opportunity.account_id:
            raise ValidationError({"contact": _("The person must work at the opportunity's account.")})
