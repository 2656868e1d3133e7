"""Relations of the network as records and the stored analysis (the weighting of derived strengths is the
tunable `NetworkStrength`).

A `Relation` joins two contacts of one account (`reports_to`, `influences`) or one of our people and a
contact (`knows`, with a strength 0–1 set by hand or derived from their interactions). A contact's own
"reports to" field counts as one more `reports_to` relation. The measures of `domain/network.py` are
stored per account (`AccountNetwork`) and per opportunity (`OpportunityNetwork`) whenever a record they
depend on changes, so that pages and lists read them instead of analysing the network on every request.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kundennetz.accounts.models import Account, Contact, Opportunity
from kundennetz.core.models import SoftDeleteModel, TrackedModel
from kundennetz.domain import network as nw

STRENGTH = {"max_digits": 3, "decimal_places": 2,
            "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]}

# The domain's rules, worded for a form; each names the field it concerns.
RULE_MESSAGES = {
    "knows_sides": ("user", _("“Knows” joins one of our people and a contact.")),
    "strength_missing": ("strength", _("Enter a strength from 0 to 1, or derive it from the interactions.")),
    "strength_range": ("strength", _("The strength is a number from 0 to 1.")),
    "contacts_only": ("user", _("This kind of relation joins two contacts, not one of our people.")),
    "self_relation": ("other", _("A relation joins two different people.")),
    "unknown_kind": ("kind", _("Select a valid choice. That choice is not one of the available choices.")),
}


class Relation(TrackedModel, SoftDeleteModel):
    """Who reports to whom, who influences whom, and which of our people knows which contact how well."""

    account_lookup = "account"

    class Kind(models.TextChoices):
        KNOWS = nw.KNOWS, _("knows")
        REPORTS_TO = nw.REPORTS_TO, _("reports to")
        INFLUENCES = nw.INFLUENCES, _("influences")

    class Source(models.TextChoices):
        MANUAL = "manual", _("set by hand")
        INTERACTIONS = "interactions", _("derived from interactions")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="relations", editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE,
                                related_name="relations_from",
                                help_text=_("Who reports or influences; for “knows”, the contact known."))
    other = models.ForeignKey(Contact, verbose_name=_("other contact"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="relations_to",
                              help_text=_("The superior or the person influenced."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("our person"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="relations")
    strength = models.DecimalField(_("strength"), **STRENGTH, null=True, blank=True)
    source = models.CharField(_("strength from"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["account", "deleted_at"])]

    def __str__(self) -> str:
        left = self.user if self.kind == self.Kind.KNOWS and self.user_id else self.contact
        right = self.contact if self.kind == self.Kind.KNOWS else self.other
        return f"{left} {self.get_kind_display()} {right}"

    def get_absolute_url(self) -> str:
        return self.contact.get_absolute_url()

    def clean(self):
        if self.contact_id is not None:
            self.account_id = self.contact.account_id
        errors: dict = {}
        if self.kind == self.Kind.KNOWS:
            if self.other_id is not None:
                errors["other"] = RULE_MESSAGES["knows_sides"][1]
            if self.user_id is None:
                errors["user"] = _("This field is required.")
            if self.source == self.Source.INTERACTIONS:
                self.strength = None
        else:
            if self.other_id is None:
                errors["other"] = _("This field is required.")
            self.strength, self.source = None, self.Source.MANUAL
        if errors:
            raise ValidationError(errors)
        strength = float(self.strength) if self.strength is not None else None
        if self.kind == self.Kind.KNOWS and self.source == self.Source.INTERACTIONS:
            strength = 0.0  # derived when the network is analysed
        try:
            nw.check_relation(self.kind, self.user_id is not None, False, strength,
                              self.other_id is not None and self.other_id == self.contact_id)
        except nw.NetworkError as error:
            field, message = RULE_MESSAGES[error.code]
            raise ValidationError({field: message}) from None
        if self.other_id is not None and self.other.account_id != self.contact.account_id:
            raise ValidationError({"other": _("Both people must work at the same account.")})
        same = Relation.objects.filter(kind=self.kind, contact_id=self.contact_id, other_id=self.other_id,
                                       user_id=self.user_id, source=self.source).exclude(pk=self.pk)
        if same.exists():
            raise ValidationError(_("This relation exists already."))


class AccountNetwork(models.Model):
    """The measures of one account's network, as last computed (see `services.refresh_accounts`)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True, related_name="network")
    account_lookup = "account"
    computed_at = models.DateTimeField(default=timezone.now)
    weighting_version = models.PositiveIntegerField(default=0)
    decision_makers = models.PositiveIntegerField(default=0)
    covered = models.PositiveIntegerField(default=0)
    uncovered = models.PositiveIntegerField(default=0)
    bus_factor = models.PositiveIntegerField(null=True, db_index=True)
    weak_points = models.PositiveIntegerField(default=0)
    single_threaded = models.PositiveIntegerField(default=0, help_text="open opportunities that are single-threaded")
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("network analysis of an account")
        verbose_name_plural = _("network analyses of accounts")


class OpportunityNetwork(models.Model):
    """Threads of one opportunity: how many of its people one of ours knows well enough."""

    opportunity = models.OneToOneField(Opportunity, on_delete=models.CASCADE, primary_key=True,
                                       related_name="network")
    account_lookup = "opportunity__account"
    threads = models.PositiveIntegerField(default=0)
    single_threaded = models.BooleanField(default=True, db_index=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("network analysis of an opportunity")
        verbose_name_plural = _("network analyses of opportunities")
