"""Catalogue versions, an opportunity's checklist and answers (with history), and pursuit decisions."""

from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kundennetz.accounts.models import Opportunity, Recommendation
from kundennetz.core.models import RecordVersionMixin, TrackedModel, VersionedModel
from kundennetz.core.permissions import VIEW, may_edit_settings
from kundennetz.domain import qualification as rules

from .wording import catalogue_refusal


_PUBLISHED_RULES: dict[tuple, rules.Catalogue] = {}  # a handful of versions at most; domain catalogues are frozen


class Catalogue(RecordVersionMixin, models.Model):
    """One version of a question catalogue. Published versions never change; an edit is a new version.

    `version` is the catalogue's own number (v1, v2, …); `record_version` the record's, raised by every save,
    so that a stale save of a draft in the admin is refused instead of overwriting a colleague's edit."""

    version_field = "record_version"

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Everyone signed in reads the published and retired versions; drafts are an administrator's
        work in progress and exist only for them, who keep the catalogues."""
        if may_edit_settings(user):
            return queryset
        return queryset.exclude(status=cls.Status.DRAFT) if action == VIEW else queryset.none()

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    key = models.SlugField(_("key"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    definition = models.JSONField(_("definition"))
    threshold = models.PositiveSmallIntegerField(
        _("threshold"), default=rules.DEFAULT_THRESHOLD,
        help_text=_("More unfavourable headline answers than this lead to the recommendation “no offer”."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    record_version = models.PositiveIntegerField(_("record version"), default=1, db_default=1, editable=False)

    class Meta:
        verbose_name = _("question catalogue")
        verbose_name_plural = _("question catalogues")
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="unique_catalogue_version")]

    def __str__(self) -> str:
        # The admin shows the record while a definition of any shape is being corrected.
        name = self.definition.get("name") if isinstance(self.definition, dict) else None
        return f"{(name.get('en') if isinstance(name, dict) else None) or self.key} v{self.version}"

    @cached_property
    def rules(self) -> rules.Catalogue:
        """The catalogue as the domain understands it.

        A published version never changes, so it is read once per process, not on every page that shows a
        checklist; drafts are read afresh (an admin edits them)."""
        if self.status != self.Status.PUBLISHED or self.pk is None:
            return rules.Catalogue.from_dict(self.definition)
        key = (self.pk, self.key, self.version, self.published_at)
        parsed = _PUBLISHED_RULES.get(key)
        if parsed is None:
            parsed = _PUBLISHED_RULES[key] = rules.Catalogue.from_dict(self.definition)
        return parsed

    def clean(self):
        try:
            parsed = rules.Catalogue.from_dict(self.definition)
        except rules.CatalogueError as exc:
            raise ValidationError({"definition": catalogue_refusal(exc)}) from None
        except (TypeError, ValueError):  # a shape the checks did not foresee: say so, never the developers' text
            raise ValidationError({"definition": _("This definition cannot be used as it stands; please check "
                                                   "its structure.")}) from None
        if parsed.id != self.key or parsed.version != self.version:
            raise ValidationError({"definition": _("The definition's id and version must match the record.")})

    @classmethod
    def current(cls, key: str = "ascotsman") -> "Catalogue":
        """The newest published version, which new checklists are answered against."""
        return cls.objects.filter(key=key, status=cls.Status.PUBLISHED).order_by("-version").first()


class Checklist(TrackedModel):
    """An opportunity's answers to one catalogue version, with its latest evaluation kept for lists."""

    account_lookup = "opportunity__account"

    opportunity = models.OneToOneField(Opportunity, on_delete=models.CASCADE, related_name="checklist",
                                       verbose_name=_("opportunity"))
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="checklists",
                                  verbose_name=_("catalogue"))
    recommendation = models.CharField(_("recommendation"), max_length=10, choices=Recommendation.choices,
                                      default=Recommendation.CLARIFY, db_index=True)
    unfavourable_count = models.PositiveSmallIntegerField(_("unfavourable"), default=0)
    open_points = models.PositiveIntegerField(_("open points"), default=0, db_index=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")

    def __str__(self) -> str:
        return f"{self.opportunity} ({self.catalogue})"


def answer_values(checklist: Checklist) -> dict[str, object]:
    """The stored answers by question; read once per checklist object (a page asks several times)."""
    if checklist.pk is None:
        return {}
    cached = checklist.__dict__.get("_answer_values")
    if cached is None:
        cached = checklist.__dict__["_answer_values"] = {
            question_id: value for question_id, value in checklist.answers.values_list("question_id", "value")}
    return cached


class Answer(VersionedModel):
    """One answer of a checklist; every change is kept by the history (who, when, old → new)."""

    account_lookup = "checklist__opportunity__account"

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(_("question"), max_length=80)
    value = models.JSONField(_("answer"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("updated by"))

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["checklist", "question_id"], name="unique_answer")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class PursuitDecision(models.Model):
    """Our decision whether to pursue an opportunity; the latest one counts, earlier ones stay visible."""

    account_lookup = "opportunity__account"

    class Decision(models.TextChoices):
        PURSUE = "pursue", _("Pursue")
        DO_NOT_PURSUE = "do_not_pursue", _("Do not pursue")

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="pursuit_decisions",
                                    verbose_name=_("opportunity"))
    decision = models.CharField(_("decision"), max_length=15, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    recommendation = models.CharField(_("recommendation at the time"), max_length=10,
                                      choices=Recommendation.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("pursuit decision")
        verbose_name_plural = _("pursuit decisions")
        ordering = ["-decided_at", "-id"]
        get_latest_by = "decided_at"

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.decided_at:%Y-%m-%d})"
