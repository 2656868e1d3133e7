"""Forms for logging and editing interactions and for keeping the core messages.

The interaction form offers only what fits the account: its people, its opportunities, the core
messages valid today (plus whatever the record already carries, so that editing an old interaction
does not silently drop a retired message or a person now in the trash). It saves through
`services.save_interaction`, which checks the same again, so the API and the web agree.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundennetz.accounts.forms import attach_errors
from kundennetz.accounts.models import Account, Contact, Opportunity, Stage
from kundennetz.core.choosers import ChooserSelect, ChooserSelectMultiple
from kundennetz.core.forms import VersionedFormMixin
from kundennetz.core.models import User
from kundennetz.core.numberfields import WholeNumberField
from kundennetz.core.permissions import ADD, restrict
from kundennetz.core.services import save_record

from .models import CoreMessage, Interaction
from .paging import id_param
from .services import save_interaction

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FetchedChoiceIterator(forms.models.ModelChoiceIterator):
    """Choices read in one fetch. Django's own iterator streams through a server-side cursor on
    PostgreSQL, which costs a round trip or two per field for lists of a few dozen entries."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class SafeChoice(forms.ModelChoiceField):
    """A choice by id that refuses an id the database cannot even hold (else a 500, not a message)."""

    iterator = FetchedChoiceIterator

    def to_python(self, value):
        if value not in self.empty_values and not isinstance(value, self.queryset.model) and id_param(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeMultipleChoice(forms.ModelMultipleChoiceField):
    iterator = FetchedChoiceIterator

    def _check_values(self, value):
        for pk in value:
            if not isinstance(pk, self.queryset.model) and id_param(pk) is None:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super()._check_values(value)


class ContactChoice(SafeMultipleChoice):

    def label_from_instance(self, obj):
        role = obj.get_buying_role_display()
        return f"{obj} ({role})" if role else str(obj)


class MessageChoice(SafeMultipleChoice):

    def label_from_instance(self, obj):
        return f"{obj.get_kind_display()}: {obj.text}"


class InteractionForm(VersionedFormMixin, forms.ModelForm):
    """Log or edit an interaction. `account` fixed: the compact form on the account page; otherwise
    the user chooses among the accounts they may add to, and the account's people follow."""

    required_css_class = "required"
    error_css_class = "has-error"

    contacts = ContactChoice(queryset=Contact.objects.none(), required=False,
                             widget=forms.CheckboxSelectMultiple, label=_("Their people"))
    core_messages = MessageChoice(queryset=CoreMessage.objects.none(), required=False,
                                  widget=forms.CheckboxSelectMultiple, label=_("Core messages carried"))

    class Meta:
        model = Interaction
        fields = ["account", "type", "date", "duration_minutes", "contacts", "our_people", "opportunity",
                  "topics", "core_messages", "note", "follow_up_date"]
        field_classes = {"account": SafeChoice, "opportunity": SafeChoice, "our_people": SafeMultipleChoice,
                         "duration_minutes": WholeNumberField}
        widgets = {
            "date": DATE_WIDGET,
            "follow_up_date": DATE_WIDGET,
            "note": forms.Textarea(attrs={"rows": 3}),
            "duration_minutes": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 6}),
        }

    def __init__(self, *args, user: User, account: Account | None = None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            self.account = instance.account
        elif account is not None:
            self.account = account
        else:
            self.account = None
        field = self.fields["account"]
        if instance.pk or account is not None:
            # Moving an interaction would leave its people at the wrong account.
            field.queryset = Account.all_objects.filter(pk=self.account.pk)
            field.initial = self.account.pk
            field.disabled = True
            if account is not None and not instance.pk:
                field.widget = forms.HiddenInput()
        else:
            allowed = restrict(Account.objects.all(), user, ADD).order_by("name")
            field.queryset = allowed
            field.widget = ChooserSelect("accounts:account_choices", attrs=field.widget.attrs, params="action=add")
            field.widget.choices = field.choices
            raw = self.data.get(self.add_prefix("account")) if self.is_bound else self.initial.get("account")
            raw = getattr(raw, "pk", raw)
            pk = id_param(raw)
            self.account = allowed.filter(pk=pk).first() if pk else None
        if not instance.pk:
            self.initial.setdefault("date", timezone.localdate())
            self.initial.setdefault("our_people", [user.pk])
        self._limit_choices()

    def _limit_choices(self):
        instance = self.instance
        kept_contacts = list(instance.contacts.values_list("pk", flat=True)) if instance.pk else []
        kept_messages = list(instance.core_messages.values_list("pk", flat=True)) if instance.pk else []
        kept_people = list(instance.our_people.values_list("pk", flat=True)) if instance.pk else []
        if self.account is None:
            self.fields["contacts"].queryset = Contact.objects.none()
            self.fields["opportunity"].queryset = Opportunity.objects.none()
            self.fields["contacts"].help_text = _("Choose the account first; its people are then offered here.")
        else:
            self.fields["contacts"].queryset = Contact.all_objects.filter(
                Q(account=self.account, deleted_at__isnull=True) | Q(pk__in=kept_contacts)).order_by(
                "last_name", "first_name")
            self.fields["opportunity"].queryset = Opportunity.objects.filter(account=self.account).filter(
                Q(stage__type=Stage.Type.OPEN) | Q(pk=instance.opportunity_id)).order_by("title")
        today = timezone.localdate()
        self.fields["core_messages"].queryset = CoreMessage.objects.filter(
            (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
            | Q(pk__in=kept_messages)).order_by("kind", "text_de")
        people = self.fields["our_people"]
        people.queryset = User.objects.filter(Q(is_active=True) | Q(pk__in=kept_people)).order_by(
            "last_name", "first_name")
        people.help_text = _("Empty: you.")
        # Searched, not listed: only the chosen people are on the page.
        people.widget = ChooserSelectMultiple("accounts:owner_choices", attrs={"size": 4}, params="scope=people")
        people.widget.choices = people.choices

    def save(self, commit: bool = True):
        interaction = super().save(commit=False)
        try:
            return save_interaction(interaction, self.user,
                                    our_people=self.cleaned_data.get("our_people"),
                                    contacts=self.cleaned_data.get("contacts"),
                                    core_messages=self.cleaned_data.get("core_messages"))
        except ValidationError as error:
            attach_errors(self, error)
            if interaction._state.adding:
                interaction.pk = None
            raise

    def try_save(self) -> bool:
        """Save when valid; on a refusal the errors are on the form and nothing is saved."""
        if not self.is_valid():
            return False
        try:
            self.save()
        except ValidationError:
            return False
        return True

    @property
    def details_open(self) -> bool:
        """Keep the folded part of the compact form open when it holds an error or a value."""
        detail_fields = ("our_people", "opportunity", "note", "follow_up_date", "duration_minutes")
        return any(name in self.errors for name in detail_fields)


class CoreMessageForm(VersionedFormMixin, forms.ModelForm):
    required_css_class = "required"
    error_css_class = "has-error"

    class Meta:
        model = CoreMessage
        fields = ["kind", "text_de", "text_en", "valid_from", "valid_to"]
        widgets = {"valid_from": DATE_WIDGET, "valid_to": DATE_WIDGET,
                   "text_de": forms.Textarea(attrs={"rows": 2}), "text_en": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def save(self, commit: bool = True):
        try:
            return save_record(self.instance, self.user)
        except ValidationError as error:
            attach_errors(self, error)
            raise
