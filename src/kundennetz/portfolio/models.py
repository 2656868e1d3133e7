"""Scoring-model versions, manual ratings, strategy overrides, snapshots per period and value propositions.

The rules themselves live in ``kundennetz.domain.portfolio``; these records only keep what the rules
read (the model definition, people's ratings and decisions) and what they produced (snapshots).
Strategies and their care intensities are part of the model definition, so that a snapshot always
refers to the exact strategies it was computed with: changing a care intensity publishes a new version.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kundennetz.accounts.models import Account, Segment
from kundennetz.core import freshness
from kundennetz.core.models import TrackedModel
from kundennetz.core.permissions import by_role, is_signed_in, nobody
from kundennetz.domain import portfolio as rules
from kundennetz.domain.period import Period, PeriodError

from .permissions import can_edit_value_propositions, can_manage_portfolio
from .wording import scoring_model_refusal

BUYING_ROLES = rules.BUYING_CENTRE_ROLES

# Parsed definitions: versions never change once saved, and parsing a model on every request would cost
# more than the page itself. The key includes the creation time, so that a database rebuilt with the
# same ids (tests, a restored backup) never meets a stale entry.
_PARSED: dict[tuple, rules.ScoringModel] = {}


def current_language() -> str:
    """'de' or 'en', for the names the model data carries in both languages."""
    return "de" if (get_language() or "").lower().startswith("de") else "en"


class ScoringModel(models.Model):
    """One version of the scoring model (criteria, weights, scales, grids, strategies, care intensity).

    Every saved version is in force from the moment it is saved; the newest is the current one. A
    version never changes afterwards: snapshots point at the version they were computed with.
    """

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Everyone signed in reads the model; the sales head and admin save new versions (none changes)."""
        return by_role(queryset, user, action, view=is_signed_in, add=can_manage_portfolio, change=nobody,
                       delete=nobody)

    version = models.PositiveIntegerField(_("version"), unique=True)
    definition = models.JSONField(_("definition"))
    comment = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))

    class Meta:
        verbose_name = _("scoring model")
        verbose_name_plural = _("scoring models")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def name(self) -> str:
        key = "name_de" if current_language() == "de" else "name_en"
        return self.definition.get(key) or str(_("Scoring model"))

    @cached_property
    def rules(self) -> rules.ScoringModel:
        """The model as the domain understands it."""
        key = (self.pk, self.version, self.created_at)
        if self.pk is not None and key in _PARSED:
            return _PARSED[key]
        parsed = rules.ScoringModel.from_dict(self.definition)
        if self.pk is not None:
            _PARSED[key] = parsed
        return parsed

    def clean(self):
        try:
            parsed = rules.ScoringModel.from_dict(self.definition)
        except rules.ScoringModelError as exc:
            raise ValidationError({"definition": scoring_model_refusal(exc)}) from None
        except (TypeError, ValueError):  # a shape the checks did not foresee: say so, never the developers' text
            raise ValidationError({"definition": _("This definition cannot be used as it stands; please check "
                                                   "its structure.")}) from None
        if parsed.version != self.version:
            raise ValidationError({"definition": _("The definition's version must match the record's version.")})

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("a published scoring model never changes; save a new version instead")
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> ScoringModel | None:
        return cls.objects.order_by("-version").first()


class StrategyOverride(TrackedModel):
    """A sales head's decision to treat an account with another strategy than its cell gives, and why."""

    account_lookup = "account"

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="portfolio_override",
                                   verbose_name=_("account"))
    strategy = models.CharField(_("strategy"), max_length=40)
    reason = models.TextField(_("reason"))

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        verbose_name = _("strategy override")
        verbose_name_plural = _("strategy overrides")
        # The newest change, read by core.freshness by index.
        indexes = [models.Index(fields=["updated_at"], name="override_changed")]

    def __str__(self) -> str:
        return f"{self.account} → {self.strategy}"

    def clean(self):
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("Say why this account gets another strategy.")})
        model = ScoringModel.current()
        if model is not None and self.strategy not in model.rules.strategies:
            raise ValidationError({"strategy": _("Select a valid choice. That choice is not one of the available "
                                                 "choices.")})


class ManualRating(TrackedModel):
    """A person's rating 1–5 of one criterion for one account, with a note saying what it rests on."""

    account_lookup = "account"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="portfolio_ratings",
                                verbose_name=_("account"))
    criterion = models.CharField(_("criterion"), max_length=40)
    value = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        verbose_name = _("manual rating")
        verbose_name_plural = _("manual ratings")
        ordering = ["account", "criterion"]
        constraints = [models.UniqueConstraint(fields=["account", "criterion"], name="unique_rating_per_criterion")]
        # The newest change, read by core.freshness by index.
        indexes = [models.Index(fields=["updated_at"], name="rating_changed")]

    def __str__(self) -> str:
        return f"{self.account} · {self.criterion}: {self.value}"

    def clean(self):
        model = ScoringModel.current()
        if model is not None:
            keys = {c.key for c in model.rules.criteria if c.takes_manual}
            if self.criterion not in keys:
                raise ValidationError({"criterion": _("This criterion takes no manual rating.")})


def parse_period(text: str) -> Period:
    """The period written as ``2026`` (a year) or ``2026-Q4`` (a quarter); ValidationError otherwise."""
    try:
        return Period.parse(text)
    except PeriodError:
        raise ValidationError({"period": _("Enter a year (2026) or a quarter (2026-Q4).")}) from None


def period_of(day: date, *, year: bool = False) -> str:
    """The code of the quarter (or ``year``) that ``day`` lies in."""
    return (Period.year_of(day) if year else Period.quarter_of(day)).code


class SnapshotQuerySet(models.QuerySet):
    def in_order(self):
        """Newest period first; of two snapshots ending the same day the later one."""
        return self.order_by("-period_end", "-created_at", "-id")


class PortfolioSnapshot(models.Model):
    """Every account's scores, rank, cell, strategy and ABC classes for one period (one per period).

    The newest is the current one; comparing it with the one before shows the movement between cells.
    """

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """A snapshot's counts and dates are the whole network's, read by everyone signed in (its accounts'
        positions follow their accounts); the sales head and admin take snapshots, which are never changed."""
        return by_role(queryset, user, action, view=is_signed_in, add=can_manage_portfolio, change=nobody,
                       delete=nobody)

    period = models.CharField(_("period"), max_length=7, unique=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    as_of = models.DateField(_("figures as of"))
    scoring_model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="snapshots",
                                      verbose_name=_("scoring model"))
    grid = models.CharField(_("grid"), max_length=40)
    account_count = models.PositiveIntegerField(_("accounts"), default=0)
    placed_count = models.PositiveIntegerField(_("placed accounts"), default=0)
    seconds = models.FloatField(_("computing time (s)"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    inputs = models.CharField(_("inputs fingerprint"), max_length=64, blank=True, editable=False,
                              help_text=_("What the figures were computed from (core.freshness)."))

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("portfolio snapshot")
        verbose_name_plural = _("portfolio snapshots")
        ordering = ["-period_end", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.period

    @classmethod
    def current(cls) -> PortfolioSnapshot | None:
        return cls.objects.select_related("scoring_model").in_order().first()

    def freshness(self, *, current: bool | None = None) -> freshness.AsOf:
        """As of when, and out of date when its inputs changed since. Only the newest snapshot can be out of
        date: an older one is the record of its period (``current`` saves the query when known)."""
        if current is None:
            newest = type(self).current()
            current = newest is not None and newest.pk == self.pk
        if not current:
            return freshness.AsOf(when=self.created_at)
        return freshness.status("portfolio", self.created_at, self.inputs)

    def previous(self) -> PortfolioSnapshot | None:
        """The snapshot before this one in time (the one movement is measured against)."""
        earlier = type(self).objects.exclude(pk=self.pk).filter(
            models.Q(period_end__lt=self.period_end)
            | models.Q(period_end=self.period_end, created_at__lt=self.created_at)
        )
        return earlier.in_order().first()

    @property
    def model(self) -> rules.ScoringModel:
        """The scoring model with the grid this snapshot was computed on."""
        return self.scoring_model.rules.using_grid(self.grid)


class AccountPosition(models.Model):
    """One account in one snapshot. Written in bulk by the recompute, never edited.

    ``cell`` is empty when a score is missing (the account cannot be placed); ``strategy`` is what was
    in force then: an override, else the strategy of the cell (which the snapshot's model gives).
    """

    account_lookup = "account"

    # A million rows are written per snapshot, so every index and check costs a million times: the pair
    # is the key (no counter column), one index serves the table's rank order, and there are no
    # foreign-key constraints in the database, whose per-row checks at commit cost as much as the writing. The rows come from accounts read a moment before; deleting
    # goes through the ORM, which cascades to the positions (see ``on_delete``).
    pk = models.CompositePrimaryKey("snapshot_id", "account_id")
    snapshot = models.ForeignKey(PortfolioSnapshot, on_delete=models.CASCADE, related_name="positions",
                                 db_index=False, db_constraint=False, verbose_name=_("snapshot"))
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="portfolio_positions",
                                db_index=False, db_constraint=False, verbose_name=_("account"))
    attractiveness = models.FloatField(_("attractiveness"), null=True)
    position = models.FloatField(_("our position"), null=True)
    attractiveness_coverage = models.FloatField(_("attractiveness coverage"))
    position_coverage = models.FloatField(_("position coverage"))
    rank = models.IntegerField(_("rank"), null=True)
    order = models.IntegerField(_("order"), null=True)
    cell = models.CharField(_("cell"), max_length=40, blank=True)
    strategy = models.CharField(_("strategy"), max_length=40, blank=True)
    abc_revenue = models.CharField(_("ABC by revenue"), max_length=1)
    abc_margin = models.CharField(_("ABC by contribution margin"), max_length=1)

    class Meta:
        verbose_name = _("account position")
        verbose_name_plural = _("account positions")
        indexes = [
            # The table's default order (rank): at a million accounts sorting the snapshot per request took
            # 0.7 s; this one index costs about a tenth more time when a snapshot is written.
            models.Index(fields=["snapshot", "order", "account"], name="position_snapshot_order"),
            # The accounts without a place, which the picture lists by name: usually a few, read through
            # an index of their own (it costs only those rows when a snapshot is written).
            models.Index(fields=["snapshot", "account"], name="position_unplaced", condition=models.Q(cell="")),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id} · {self.account_id}"

    @property
    def placed(self) -> bool:
        return bool(self.cell)


class PositionMove(models.Model):
    """An account whose cell or strategy differs between a snapshot and the one before it (what
    ``domain.portfolio.move_reasons`` calls a move), found once when the snapshot is taken: a page counts and
    lists moves from these rows instead of comparing two snapshots of every account. Written in bulk like
    the positions, never edited; a snapshot's rows are written again when the snapshot before it changes."""

    account_lookup = "account"

    pk = models.CompositePrimaryKey("snapshot_id", "account_id")
    snapshot = models.ForeignKey(PortfolioSnapshot, on_delete=models.CASCADE, related_name="moves",
                                 db_index=False, db_constraint=False, verbose_name=_("snapshot"))
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="portfolio_moves",
                                db_index=False, db_constraint=False, verbose_name=_("account"))

    class Meta:
        verbose_name = _("move since the previous snapshot")
        verbose_name_plural = _("moves since the previous snapshot")

    def __str__(self) -> str:
        return f"{self.snapshot_id} · {self.account_id}"


class SnapshotSummary(models.Model):
    """A snapshot's positions counted once, when it is taken: per density square, cell and ABC class how
    many accounts there are and how many of them moved since ``previous_snapshot``. The portfolio page
    brings these to today with the few changes since (accounts in the trash, strategy overrides) instead of
    counting every position per request (``portfolio.summary``)."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Counts of the whole network, like the snapshot's own; written by the snapshot, never by a person."""
        return by_role(queryset, user, action, view=is_signed_in, change=nobody)

    snapshot = models.OneToOneField(PortfolioSnapshot, on_delete=models.CASCADE, primary_key=True,
                                    related_name="summary", verbose_name=_("snapshot"))
    previous_snapshot = models.BigIntegerField(
        _("previous snapshot"), null=True, blank=True,
        help_text=_("The snapshot the moves were counted against (none: the first snapshot)."))
    groups = models.JSONField(_("counts"), default=list, help_text=_(
        "Rows [column, row, cell, ABC class, accounts, moved]; column and row are null for accounts without "
        "both scores."))
    moved = models.PositiveIntegerField(_("moved accounts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("snapshot summary")
        verbose_name_plural = _("snapshot summaries")

    def __str__(self) -> str:
        return str(self.snapshot_id)


class ValuePropositionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ValueProposition(TrackedModel):
    """A benefit we bring, in German and English, for buying-centre roles in some segments or strategies.

    No segment means every segment, no strategy every strategy: a proposition applies to a contact
    when their role is listed and the account's segment and strategy match.
    """

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Everyone signed in reads them; marketing (and an admin) keeps them."""
        return by_role(queryset, user, action, view=is_signed_in, change=can_edit_value_propositions)

    title_de = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    text_de = models.TextField(_("text (German)"))
    text_en = models.TextField(_("text (English)"))
    roles = models.JSONField(_("buying-centre roles"), default=list)
    segments = models.ManyToManyField(Segment, verbose_name=_("customer groups"), blank=True,
                                      related_name="value_propositions",
                                      help_text=_("None selected: every customer group."))
    strategies = models.JSONField(_("strategies"), default=list, blank=True,
                                  help_text=_("None selected: every strategy."))
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords(m2m_fields=[segments], excluded_fields=["updated_at", "version"])
    objects = ValuePropositionQuerySet.as_manager()

    class Meta:
        verbose_name = _("value proposition")
        verbose_name_plural = _("value propositions")
        ordering = ["order", "title_de", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_de if current_language() == "de" else self.title_en

    @property
    def text(self) -> str:
        return self.text_de if current_language() == "de" else self.text_en

    def clean(self):
        errors = {}
        if not isinstance(self.roles, list) or not self.roles:
            errors["roles"] = _("Select at least one buying-centre role.")
        elif any(role not in BUYING_ROLES for role in self.roles) or len(set(self.roles)) != len(self.roles):
            errors["roles"] = _("Select a valid choice. That choice is not one of the available choices.")
        if not isinstance(self.strategies, list) or any(not isinstance(s, str) for s in self.strategies):
            errors["strategies"] = _("Select a valid choice. That choice is not one of the available choices.")
        else:
            model = ScoringModel.current()
            known = set(model.rules.strategies) if model else set()
            if model is not None and any(s not in known for s in self.strategies):
                errors["strategies"] = _("Select a valid choice. That choice is not one of the available choices.")
        if errors:
            raise ValidationError(errors)

    def applies_to(self, role: str, segment_id: int | None, strategy: str | None, segment_ids: set[int]) -> bool:
        """Whether this proposition is for a person of `role` at an account in that segment and strategy.

        ``segment_ids`` are this proposition's segments, passed in so that a list needs no query per row.
        """
        if role not in self.roles:
            return False
        if segment_ids and segment_id not in segment_ids:
            return False
        return not self.strategies or strategy in self.strategies
