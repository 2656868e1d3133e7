"""Interactions with the network, the core messages they carry, and the stored consistency results.

An interaction records who of ours met whom of theirs, when, how and with which core messages. Core
messages (values, messages, value propositions) are kept centrally by marketing with a validity
period; a retired message keeps its rows so that old interactions still name what they carried.
`ConsistencySnapshot` holds the last computed measures per account, because scoring the whole
network live is far too slow for a page at 10 000 accounts (see bench/README.md).
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kundennetz.accounts.models import Account, Contact, Opportunity, Searchable
from kundennetz.core.models import Bookkeeping, SoftDeleteModel, TrackedModel
from kundennetz.core.permissions import by_role, is_signed_in, nobody
from kundennetz.domain.text import search_text

from .permissions import may_edit_core_messages, may_see_management

# Longest duration worth recording: a multi-day event, not a typo of minutes for hours.
MAX_DURATION_MINUTES = 7 * 24 * 60
# How far ahead an interaction may be dated: a planned meeting can be logged ahead of time, but a
# date years ahead is a typo (and would count as a contact only once it is reached).
MAX_DAYS_AHEAD = 366
EARLIEST_DATE = date(1990, 1, 1)
# A follow-up further out than this is not a follow-up.
MAX_FOLLOW_UP_YEARS = 5


class CoreMessage(TrackedModel):
    """A company value, core message or value proposition, in German and English, valid for a time."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Everyone signed in reads them; marketing (and an admin) writes and retires them. None is
        deleted: the interactions that carried a message keep naming it."""
        return by_role(queryset, user, action, view=is_signed_in, change=may_edit_core_messages, delete=nobody)

    class Kind(models.TextChoices):
        VALUE = "value", _("Value")
        MESSAGE = "message", _("Core message")
        VALUE_PROPOSITION = "value_proposition", _("Value proposition")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MESSAGE)
    text_de = models.CharField(_("text (German)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300, blank=True,
                               help_text=_("Empty: the German text is shown."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True,
                                  help_text=_("Empty: valid since always."))
    valid_to = models.DateField(_("valid to"), null=True, blank=True,
                                help_text=_("Empty: valid until further notice. A retired message stays "
                                            "in the history of the interactions that carried it."))

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        verbose_name = _("core message")
        verbose_name_plural = _("core messages")
        ordering = ["kind", "text_de", "id"]
        # The newest change, read by core.freshness by index.
        indexes = [models.Index(fields=["updated_at"], name="coremessage_changed")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        if (get_language() or "").startswith("en") and self.text_en:
            return self.text_en
        return self.text_de

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def is_current(self) -> bool:
        return self.is_valid_on(timezone.localdate())

    def clean(self):
        self.text_de = (self.text_de or "").strip()
        self.text_en = (self.text_en or "").strip()
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": _("The end of validity must not be before its start.")})


# Kept at module level so that a save can write one history row for the record and its people and
# messages together (see `record_history`), instead of one row per many-to-many field set.
_INTERACTION_HISTORY = HistoricalRecords(m2m_fields=["our_people", "contacts", "core_messages"],
                                         excluded_fields=["updated_at", "version", "search_text"])


class Interaction(TrackedModel, Searchable, SoftDeleteModel):
    """One contact with an account: a meeting, call, e-mail, event, offer presentation or other."""

    account_lookup = "account"
    # The folded topics and note (see `Searchable`), found through an index (interactions.filters).
    # The account's name is not copied in: the list finds it through the accounts' own index, so that
    # renaming an account rewrites no interaction.
    search_sources = ("topics", "note")

    # The values are the keys of `interaction_types` in consistency_weights.json.
    class Type(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        CALL = "call", _("Call")
        EMAIL = "email", _("E-mail")
        EVENT = "event", _("Event")
        OFFER_PRESENTATION = "offer_presentation", _("Offer presentation")
        OTHER = "other", _("Other")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="interactions")
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.MEETING)
    date = models.DateField(_("date"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MaxValueValidator(MAX_DURATION_MINUTES)])
    our_people = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("our people"), blank=True,
                                        related_name="interactions")
    contacts = models.ManyToManyField(Contact, verbose_name=_("their people"), blank=True,
                                      related_name="interactions")
    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="interactions")
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    core_messages = models.ManyToManyField(CoreMessage, verbose_name=_("core messages carried"), blank=True,
                                           related_name="interactions")
    note = models.TextField(_("note"), blank=True)
    follow_up_date = models.DateField(_("follow-up date"), null=True, blank=True)
    # Uncut, unlike the other records' (a word at the end of a long note is found too).
    search_text = models.TextField(blank=True, default="", editable=False)

    history = _INTERACTION_HISTORY

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-date", "-id"]
        indexes = [
            # The newest change, read by core.freshness by index (trashed rows too: trashing is a change).
            models.Index(fields=["updated_at"], name="interaction_changed"),
            # An account's interactions newest first (the account page, the consistency figures) and an
            # account manager's list, read account by account (core.paging.by_account): id settles ties
            # of a day in the list's order, type and deleted_at let the list's ids and its filter by type
            # come from the index alone.
            models.Index(fields=["account", "date", "id", "type", "deleted_at"], name="interaction_account_date"),
            models.Index(fields=["date"]),
            # Everyone's list newest first (whoever sees every account): a deep page's ids, their account and
            # type straight from the index, without reading the rows skipped (10M interactions: page 400
            # 180-350 ms through the date index, 75-90 ms through this one).
            models.Index(fields=["date", "id", "account", "type"], name="interaction_live_date",
                         condition=models.Q(deleted_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.date:%d.%m.%Y}" if self.date else str(self.get_type_display())

    def get_absolute_url(self) -> str:
        return reverse("interactions:detail", args=[self.pk])

    def refresh_search_fields(self) -> None:
        self.search_text = search_text(self.topics, self.note, limit=None)

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if isinstance(self.date, date):
            if self.date > today + timedelta(days=MAX_DAYS_AHEAD):
                errors["date"] = _("The date is more than a year ahead; please check it.")
            elif self.date < EARLIEST_DATE:
                errors["date"] = _("The date is too far in the past; please check it.")
            if isinstance(self.follow_up_date, date):
                if self.follow_up_date < self.date:
                    errors["follow_up_date"] = _("The follow-up cannot be before the interaction.")
                elif self.follow_up_date > self.date + timedelta(days=366 * MAX_FOLLOW_UP_YEARS):
                    errors["follow_up_date"] = _("The follow-up is more than five years after the interaction.")
        if self.opportunity_id is not None and self.account_id is not None:
            if self.opportunity.account_id != self.account_id:
                errors["opportunity"] = _("The opportunity must belong to the interaction's account.")
        if errors:
            raise ValidationError(errors)


def record_history(interaction: Interaction, created: bool) -> None:
    """Write the history row of an interaction saved with ``skip_history_when_saving`` set."""
    _INTERACTION_HISTORY.create_historical_record(interaction, "+" if created else "~")


class ConsistencySnapshot(models.Model):
    """The measures of one account as last computed, for the management view and its export.

    Written by `kundennetz consistency` (nightly) and refreshed for one account whenever one of its
    interactions changes. One row per account; the period is the rolling twelve months as of
    `as_of`, `score_previous` the twelve months before.
    """

    account = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True,
                                   related_name="consistency_snapshot")
    account_lookup = "account"
    computed_at = models.DateTimeField(default=timezone.now)
    as_of = models.DateField()
    inputs = models.CharField(max_length=64, blank=True, default="")
    period_start = models.DateField()
    period_end = models.DateField()
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    strategy = models.CharField(max_length=60, blank=True)
    priority = models.FloatField(default=0)
    score = models.FloatField(null=True)
    band = models.CharField(max_length=5, blank=True)
    score_previous = models.FloatField(null=True)
    band_previous = models.CharField(max_length=5, blank=True)
    continuity = models.FloatField(null=True)
    cadence = models.FloatField(null=True)
    messages = models.FloatField(null=True)
    manager_since = models.DateField(null=True)
    tenure_days = models.IntegerField(null=True)
    manager_changes = models.IntegerField(default=0)
    manager_changes_window = models.IntegerField(default=0)
    manager_changes_previous = models.IntegerField(default=0)
    contacts_held = models.FloatField(default=0)
    contacts_planned = models.FloatField(default=0)
    longest_gap_days = models.IntegerField(null=True)
    last_contact = models.DateField(null=True)
    days_since_last_contact = models.IntegerField(null=True)
    key_people = models.IntegerField(default=0)
    key_people_not_met = models.IntegerField(default=0)
    key_people_not_met_previous = models.IntegerField(default=0)
    decision_makers = models.IntegerField(default=0)
    decision_makers_covered = models.IntegerField(default=0)
    message_share = models.FloatField(null=True)
    overdue_contacts = models.IntegerField(default=0)
    due_contacts = models.IntegerField(default=0)
    # When each contact the account asks for falls due (the account's own, then each key person's), as ISO
    # dates, ``None`` for "due from the day it is looked at" (never contacted, nothing to count from). The
    # dates do not move as days pass, so My week picks its accounts from them on any later day.
    due_dates = models.JSONField(default=list)
    next_due = models.DateField(null=True)
    reasons = models.JSONField(default=list)

    class Meta:
        verbose_name = _("consistency snapshot")
        verbose_name_plural = _("consistency snapshots")
        indexes = [
            # Worst first with the account breaking ties (a whole band of zeros sorted per request before).
            models.Index(fields=["score", "account"], name="consistency_score"),
            models.Index(fields=["manager", "score"]),
            # The management view's accounts of one band, worst first (2 s at a million accounts without it).
            models.Index(fields=["band", "score", "account"], name="consistency_band_score"),
            # The newest row tells whether the stored overview still holds (one index step, not a scan).
            models.Index(fields=["computed_at"]),
            # The management view's latest account-manager changes: a walk down this index, not a scan.
            models.Index(fields=["-manager_since", "account"], name="consistency_latest_change",
                         condition=models.Q(manager_changes__gt=0)),
        ]


class ConsistencyOverview(models.Model):
    """The whole network's consistency figures as the last full run aggregated them from the rows.

    A large network's management view reads this one row instead of aggregating every account's row
    on each request. ``figures`` holds what the aggregation returned (per account manager, medians,
    histogram, strategies); ``rows_until`` the newest row it included, so a row written since (an
    account refreshed after an interaction changed) marks it out of date; ``rows_stale`` says the rows
    themselves were missing, old or from other inputs when it was taken.
    """

    computed_at = models.DateTimeField(default=timezone.now)
    as_of = models.DateField()
    inputs = models.CharField(max_length=64, blank=True, default="")
    rows_until = models.DateTimeField(null=True)
    rows_stale = models.BooleanField(default=False)
    figures = models.JSONField(default=dict)
    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """The whole network's figures: management reads them; only the recompute writes them."""
        return by_role(queryset, user, action, view=may_see_management, change=nobody)

    class Meta:
        verbose_name = _("consistency overview")
        verbose_name_plural = _("consistency overviews")


class ReminderLog(Bookkeeping, models.Model):
    """One reminder mail per account manager and day, so that a second cron run sends nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    items = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_reminder_per_user_and_day")]
