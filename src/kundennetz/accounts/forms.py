"""Forms for accounts, contacts and opportunities.

Each form offers only the accounts and people the user's role reaches, and saves through
`core.services.save_record`, so that validation, who-did-it and history work the same as in the API.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kundennetz.core.forms import VersionedFormMixin
from kundennetz.core.formatting import format_number
from kundennetz.core.choosers import ChooserSelect, ChooserSelectMultiple
from kundennetz.core.models import User
from kundennetz.core.numberfields import NumberField, WholeNumberField
from kundennetz.core.permissions import ADD, restrict
from kundennetz.core.roles import Role
from kundennetz.core.services import save_record

from .models import Account, ClosingReason, Competitor, Contact, Opportunity, OpportunityContact, Stage
from .permissions import may_change_team, may_choose_owner
from .services import remove_involvement


def attach_errors(form, error: ValidationError) -> None:
    """Put a model's validation errors onto the form: on the field when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def account_managers(*keep: User | None):
    """Active account managers, plus the people a record already names (so that editing does not drop them)."""
    kept = [user.pk for user in keep if user is not None]
    return User.objects.filter(Q(is_active=True, role=Role.ACCOUNT_MANAGER) | Q(pk__in=kept)).distinct()


class AmountField(NumberField):
    """A decimal typed as people type it (``1'250'000``, ``1 250 000``, ``35,5``, ``−20``): see
    `domain.numbers.parse_number`; shown grouped with the field's decimal places."""

    def prepare_value(self, value):
        # Shown grouped as everywhere else (1'200'000.00); templates group only through our filters.
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return format_number(value, self.decimal_places or 0)
        return value


def _form_field(model_field, **kwargs):
    """Form fields in the user's formats: amounts as localized text, dates with the browser's picker."""
    if isinstance(model_field, models.DecimalField):
        # A text box, not type=number: people type 1'200'000 or 1,200,000 and number boxes reject both.
        kwargs.setdefault("form_class", AmountField)
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    elif isinstance(model_field, models.IntegerField) and not model_field.choices:
        kwargs.setdefault("form_class", WholeNumberField)
    elif isinstance(model_field, models.FloatField) and not model_field.choices:
        kwargs.setdefault("form_class", NumberField)
    elif isinstance(model_field, models.DateField) and not isinstance(model_field, models.DateTimeField):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    elif isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


class RecordForm(VersionedFormMixin, forms.ModelForm):
    """A model form grouped into fieldsets, with Swiss-formatted numbers, saved through `save_record`."""

    fieldsets: list[tuple[str, list[str]]] = []
    m2m_fields: tuple[str, ...] = ()
    # Fields whose choices depend on the chosen account; the page reloads them when the account changes.
    account_dependent: tuple[str, ...] = ()
    required_css_class = "required"
    error_css_class = "has-error"

    class Meta:
        formfield_callback = _form_field

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        kwargs.setdefault("label_suffix", "")  # labels sit above their fields; a colon adds nothing
        super().__init__(*args, **kwargs)

    def fieldset_list(self):
        for legend, names in self.fieldsets:
            bound = [self[name] for name in names if name in self.fields]
            if bound:
                yield legend, bound

    def full_clean(self):
        super().full_clean()
        # Keyboard and screen-reader users land on the first field that needs attention.
        for name in self.fields:
            if name in self.errors:
                self.fields[name].widget.attrs["autofocus"] = True
                break

    def save(self, commit: bool = True):
        if not commit:
            return super().save(commit=False)
        m2m = {name: self.cleaned_data[name] for name in self.m2m_fields if name in self.cleaned_data}
        return save_record(self.instance, self.user, m2m=m2m)


class AccountBoundMixin:
    """The account a contact or opportunity belongs to: chosen among the user's accounts, fixed once saved."""

    def _init_account(self) -> None:
        field = self.fields["account"]
        if self.instance.account_id:
            # Moving a record to another account would orphan its ties (reports-to, people involved).
            field.queryset = Account.objects.filter(pk=self.instance.account_id)
            field.disabled = True
            self.account = self.instance.account
            return
        allowed = restrict(Account.objects.all(), self.user, ADD)
        field.queryset = allowed
        field.widget = ChooserSelect("accounts:account_choices", attrs=field.widget.attrs, params="action=add")
        field.widget.choices = field.choices
        raw = self.data.get(self.add_prefix("account")) if self.is_bound else self.initial.get("account")
        raw = getattr(raw, "pk", raw)
        self.account = allowed.filter(pk=raw).first() if str(raw or "").isdigit() else None


class AccountForm(RecordForm):
    fieldsets = [
        (_("Company"), ["name", "legal_form", "industry", "segment", "status"]),
        (_("Address"), ["street", "postal_code", "city", "country", "website"]),
        (_("Business with us"), ["currency", "annual_revenue", "potential", "contribution_margin_pct"]),
        (_("Responsibility"), ["owner", "team"]),
    ]
    m2m_fields = ("team",)

    class Meta(RecordForm.Meta):
        model = Account
        fields = ["name", "legal_form", "industry", "segment", "status", "street", "postal_code", "city",
                  "country", "website", "currency", "annual_revenue", "potential", "contribution_margin_pct",
                  "owner", "team"]
        widgets = {"team": forms.CheckboxSelectMultiple, "country": forms.TextInput(attrs={"size": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _init_owner(self)
        team = list(self.instance.team.all()) if self.instance.pk else []
        field = self.fields["team"]
        field.queryset = account_managers(*team)
        field.help_text = _("Account managers who work on this account with its owner.")
        if not may_change_team(self.user, self.instance):
            # A disabled field keeps the stored team whatever is posted; it shows the team, nobody else.
            field.queryset = User.objects.filter(pk__in=[user.pk for user in team])
            field.disabled = True
            field.help_text = _("Set by the account's owner, the sales head or an administrator.")
        else:
            # Searched, not listed: a firm may have hundreds of account managers.
            field.widget = ChooserSelectMultiple("accounts:owner_choices", attrs={"size": 4}, params="scope=team")
            field.widget.choices = field.choices
        self.fields["industry"].widget.attrs["list"] = "industry-suggestions"

    def industry_suggestions(self):
        visible = Account.objects.restrict(self.user, "view").exclude(industry="")
        return visible.order_by("industry").values_list("industry", flat=True).distinct()[:200]

    def clean(self):
        cleaned = super().clean()
        owner = cleaned.get("owner") or (self.instance.owner if self.instance.owner_id else None)
        if owner is not None and cleaned.get("team") is not None:
            # The owner is responsible anyway; listing them in the team too would only confuse.
            cleaned["team"] = cleaned["team"].exclude(pk=owner.pk)
        return cleaned


class ContactForm(AccountBoundMixin, RecordForm):
    fieldsets = [
        (_("Person"), ["account", "first_name", "last_name", "function", "department", "language"]),
        (_("Reaching them"), ["email", "phone"]),
        (_("Buying centre"), ["buying_role", "influence", "attitude", "reports_to"]),
    ]
    account_dependent = ("reports_to",)

    class Meta(RecordForm.Meta):
        model = Contact
        fields = ["account", "first_name", "last_name", "function", "department", "language", "email", "phone",
                  "buying_role", "influence", "attitude", "reports_to"]
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_account()
        reports_to = self.fields["reports_to"]
        if self.account is None:
            reports_to.queryset = Contact.objects.none()
            reports_to.help_text = _("Choose the account first; its people are then offered here.")
        else:
            reports_to.queryset = self.account.contacts.exclude(pk=self.instance.pk)


class OpportunityForm(AccountBoundMixin, RecordForm):
    fieldsets = [
        (_("Opportunity"), ["account", "title", "need", "owner"]),
        (_("Pipeline"), ["stage", "expected_decision_date", "closing_reason", "closed_on"]),
        (_("Figures"), ["expected_volume", "expected_follow_up_volume", "offer_price", "estimated_margin_pct"]),
        (_("Competition"), ["competitors"]),
    ]
    m2m_fields = ("competitors",)

    class Meta(RecordForm.Meta):
        model = Opportunity
        fields = ["account", "title", "need", "owner", "stage", "expected_decision_date", "closing_reason",
                  "closed_on", "expected_volume", "expected_follow_up_volume", "offer_price",
                  "estimated_margin_pct", "competitors"]
        widgets = {"competitors": forms.CheckboxSelectMultiple, "need": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_account()
        _init_owner(self)
        _limit_stage_fields(self)
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("stage", Stage.objects.filter(is_active=True, type=Stage.Type.OPEN).first())
        self.fields["competitors"].queryset = Competitor.objects.all()


class StageForm(RecordForm):
    """Moving an opportunity along the pipeline from its page, with the closing reason when it ends."""

    class Meta(RecordForm.Meta):
        model = Opportunity
        fields = ["stage", "closing_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_stage_fields(self)
        self.fields["stage"].label = _("New stage")


def _init_owner(form) -> None:
    """Sales head and admin choose any active account manager; an account manager creates records
    for themselves and cannot hand one to someone else, so they see the owner but cannot change it."""
    field = form.fields["owner"]
    owner = form.instance.owner if form.instance.owner_id else None
    if may_choose_owner(form.user):
        field.queryset = account_managers(owner)
        field.widget = ChooserSelect("accounts:owner_choices", attrs=field.widget.attrs, params="scope=managers")
        field.widget.choices = field.choices
        return
    owner = owner or form.user
    field.queryset = User.objects.filter(pk=owner.pk)
    field.disabled = True
    form.initial["owner"] = owner.pk
    field.help_text = _("Set by the sales head or an administrator.")


def _limit_stage_fields(form) -> None:
    """Active stages and closing reasons, plus the ones the record already uses."""
    instance = form.instance
    form.fields["stage"].queryset = Stage.objects.filter(Q(is_active=True) | Q(pk=instance.stage_id))
    reason = form.fields["closing_reason"]
    reason.queryset = ClosingReason.objects.filter(Q(is_active=True) | Q(pk=instance.closing_reason_id))
    reason.label_from_instance = lambda r: f"{r.get_applies_to_display()}: {r.name}"
    reason.help_text = _("Required when the opportunity is lost.")


class InvolvementForm(forms.ModelForm):
    class Meta:
        model = OpportunityContact
        fields = ["contact", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, the person's buying-centre role is taken (see clean).
        self.fields["role"].required = False

    def clean(self):
        cleaned = super().clean()
        contact = cleaned.get("contact")
        if contact is not None and not cleaned.get("role"):
            if not contact.buying_role:
                self.add_error("role", _("Choose this person's role in the deal."))
            else:
                cleaned["role"] = contact.buying_role
                self.instance.role = contact.buying_role
        return cleaned


class BaseInvolvementFormSet(forms.BaseInlineFormSet):
    """The people involved in an opportunity, chosen among the contacts of its account."""

    def __init__(self, *args, contacts, user: User, **kwargs):
        self.contacts = contacts
        self.user = user
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        # A person in the trash is no choice any more; their row stays stored but is not offered for editing.
        return (super().get_queryset().filter(contact__deleted_at__isnull=True).select_related("contact")
                .order_by("contact__last_name", "pk"))

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["contact"].queryset = self.contacts

    def save(self, commit: bool = True):
        """Save each changed row through `save_record`; a row's validation error goes onto that row."""
        saved = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk is not None:
                    remove_involvement(form.instance, self.user)
                continue
            if not form.has_changed():
                continue
            form.instance.opportunity = self.instance
            try:
                saved.append(save_record(form.instance, self.user))
            except ValidationError as error:
                attach_errors(form, error)
                raise
        return saved


InvolvementFormSet = forms.inlineformset_factory(
    Opportunity, OpportunityContact, form=InvolvementForm, formset=BaseInvolvementFormSet,
    extra=2, can_delete=True,
)


def save_forms(form: RecordForm, formset: BaseInvolvementFormSet | None = None) -> bool:
    """Save a record and its rows in one transaction. On a validation error nothing stays saved,
    the errors are on the forms, and the forms look as before the attempt (so they re-render as new)."""
    adding = form.instance._state.adding
    rows_adding = [(row, row.instance._state.adding) for row in (formset.forms if formset else [])]
    try:
        with transaction.atomic():
            try:
                record = form.save()
            except ValidationError as error:
                attach_errors(form, error)
                raise
            if formset is not None:
                formset.instance = record
                formset.save()
    except ValidationError:
        if adding:
            form.instance.pk = None
            form.instance._state.adding = True
        for row, was_adding in rows_adding:
            if was_adding:
                row.instance.pk = None
                row.instance._state.adding = True
        return False
    return True
