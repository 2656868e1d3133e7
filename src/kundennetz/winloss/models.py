"""Fitted win models (versioned, with the deals they learned from and their scores), the stored score of
each opportunity, the estimated cost of a bid per customer group, and what became of declined deals."""

from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kundennetz.accounts.models import Opportunity, Segment
from kundennetz.core.models import VersionedModel
from kundennetz.core.permissions import by_role, nobody
from kundennetz.domain import winloss as rules

from .permissions import may_fit, may_review


class WinModel(models.Model):
    """One fit of the win model: when, by whom, on which deals, with which cross-validated scores."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """A fit covers every deal of the firm: read by those who see them all, made by the sales head and
        admin; a fit is never changed (the next one is a new version)."""
        return by_role(queryset, user, action, view=may_review, add=may_fit, change=nobody, delete=nobody)

    version = models.PositiveIntegerField(_("version"), unique=True)
    fitted_at = models.DateTimeField(_("fitted"), default=timezone.now)
    fitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("fitted by"))
    deals = models.PositiveIntegerField(_("closed deals"))
    won = models.PositiveIntegerField(_("won"))
    auc = models.FloatField(_("AUC (cross-validated)"))
    brier = models.FloatField(_("Brier score (cross-validated)"))
    base_rate_brier = models.FloatField(_("Brier score of the base rate"))
    unfavourable_count_auc = models.FloatField(_("AUC of the unfavourable count"))
    reliability = models.JSONField(_("reliability table"), default=list)
    parameters = models.JSONField(_("parameters"))
    deal_ids = models.JSONField(_("deals learned from"), default=list,
                                help_text=_("The opportunities (ids) this version learned from."))

    class Meta:
        verbose_name = _("win model")
        verbose_name_plural = _("win models")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.fitted_at:%Y-%m-%d})"

    @cached_property
    def rules(self) -> rules.WinModel:
        return rules.WinModel.from_dict(self.parameters)

    @property
    def lost(self) -> int:
        return self.deals - self.won

    @classmethod
    def latest(cls) -> "WinModel | None":
        """The newest version, without the (long) list of the deals it learned from."""
        return cls.objects.defer("deal_ids").order_by("-version").first()


class DealScore(models.Model):
    """An opportunity's win probability, explained per answer, kept on a row so that lists sort and
    filter by it; refreshed when its answers change and after every fit."""

    account_lookup = "opportunity__account"

    opportunity = models.OneToOneField(Opportunity, on_delete=models.CASCADE, related_name="win_score",
                                       verbose_name=_("opportunity"))
    signature = models.CharField(_("answers (code)"), max_length=32, db_index=True)
    unfavourable = models.PositiveSmallIntegerField(_("unfavourable"), default=0)
    probability = models.FloatField(_("win probability"), null=True, blank=True, db_index=True)
    contributions = models.JSONField(_("contributions"), default=dict, blank=True)
    expected_value = models.DecimalField(_("expected value"), max_digits=16, decimal_places=2, null=True,
                                         blank=True, db_index=True)
    model = models.ForeignKey(WinModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("win model"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("win score")
        verbose_name_plural = _("win scores")

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.probability}"

    @property
    def percent(self) -> int | None:
        return None if self.probability is None else round(self.probability * 100)


class BidCost(VersionedModel):
    """The estimated cost of preparing an offer, per customer group (no group: for all other accounts)."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Read with the win model; set by the sales head and admin."""
        return by_role(queryset, user, action, view=may_review, change=may_fit)

    segment = models.OneToOneField(Segment, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="bid_cost", verbose_name=_("customer group"))
    amount = models.DecimalField(_("cost of a bid"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("updated by"))

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("cost of a bid")
        verbose_name_plural = _("costs of a bid")

    def __str__(self) -> str:
        return f"{self.segment or _('Other accounts')}: {self.amount}"


class DeclinedOutcome(VersionedModel):
    """What became of a deal we declined to bid for, where we learned it."""

    account_lookup = "opportunity__account"

    class Outcome(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        COMPETITOR = "competitor", _("Went to a competitor")
        CANCELLED = "cancelled", _("Cancelled by the customer")
        CAME_BACK = "came_back", _("Came back to us later")

    opportunity = models.OneToOneField(Opportunity, on_delete=models.CASCADE, related_name="declined_outcome",
                                       verbose_name=_("opportunity"))
    outcome = models.CharField(_("what became of it"), max_length=12, choices=Outcome.choices,
                               default=Outcome.UNKNOWN)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("updated by"))

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("outcome of a declined deal")
        verbose_name_plural = _("outcomes of declined deals")

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.outcome}"
