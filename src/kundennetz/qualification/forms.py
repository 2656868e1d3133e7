"""Forms of the checklist page: the answer to one question (shown by `controls`), the pursuit decision and the
inline new contact.

The forms only check the shape of the input; the rules (which contacts belong to the account, who may
decide, when a reason is needed) stay in `services`, whose errors the views put back onto these forms.
"""

from decimal import Decimal

from django import forms
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kundennetz.accounts.models import Contact
from kundennetz.core.numberfields import NumberField, WholeNumberField
from kundennetz.domain import qualification as rules

from .models import PursuitDecision

YES_NO_CHOICES = [(rules.YES, _("Yes")), (rules.NO, _("No")), (rules.OPEN, _("Open"))]
MAX_TEXT = 5000


def dom_id(question_id: str) -> str:
    """An HTML id for a question: ids like ``money.budget`` hold a dot, which CSS selectors would misread."""
    return question_id.replace(".", "--")


class AmountField(NumberField):
    """A money amount as people type it (1'250'000.50, 1 250 000, 1,250,000.50 or plainly)."""

    def __init__(self, **kwargs):
        super().__init__(min_value=Decimal("0"), max_value=Decimal("999999999999.99"), max_digits=14,
                         decimal_places=2, localize=True, **kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 16})

    def prepare_value(self, value):
        if isinstance(value, Decimal) and value == value.to_integral_value():
            value = value.quantize(Decimal("1"))  # 250000.00 reads better as 250'000
        return super().prepare_value(value)


class IdsField(forms.Field):
    """Ids picked from a list; whether they may be picked is the service's rule, not the form's."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        if value in self.empty_values:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return [int(v) for v in values]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Pick entries from the list."), code="invalid") from None


class IdField(IdsField):
    widget = forms.Select

    def to_python(self, value):
        ids = super().to_python(value)
        return ids[0] if ids else None


class AnswerForm(forms.Form):
    """The answer to one question; the value field depends on the question's type."""

    question_id = forms.CharField(widget=forms.HiddenInput, max_length=80)
    # The version of the answer shown (0: none yet), so that saving cannot overwrite a colleague's newer answer.
    version = WholeNumberField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, question: rules.Question, **kwargs):
        kwargs.setdefault("auto_id", f"id_{dom_id(question.id)}_%s")
        super().__init__(*args, **kwargs)
        self.question = question
        self.fields["value"] = self._value_field(question)
        self.order_fields(["question_id", "version", "value", "note"])
        self.conflict = None  # the newer answer someone else saved, when this form came too late

    @staticmethod
    def _value_field(question: rules.Question) -> forms.Field:
        label = _("Answer")
        if question.type == rules.YES_NO:
            return forms.ChoiceField(label=label, choices=YES_NO_CHOICES, widget=forms.RadioSelect)
        if question.type in (rules.CONTACTS, rules.COMPETITORS):
            return IdsField(label=label, required=False, widget=forms.SelectMultiple(attrs={"size": 4}))
        if question.type == rules.USER:
            return IdField(label=label, required=False)
        if question.type == rules.AMOUNT:
            return AmountField(label=label, required=False)
        return forms.CharField(label=label, required=False, max_length=MAX_TEXT,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def clean_question_id(self):
        if self.cleaned_data["question_id"] != self.question.id:
            raise forms.ValidationError(_("This question is not part of the checklist."))
        return self.question.id

    @staticmethod
    def initial_value(question: rules.Question, stored):
        """The form's view of a stored answer (amounts are kept as strings, references as ids)."""
        if question.type == rules.YES_NO:
            return stored or rules.OPEN
        if question.type == rules.AMOUNT:
            return None if stored in (None, "") else Decimal(stored)
        if question.type in (rules.CONTACTS, rules.COMPETITORS):
            return list(stored or [])
        return stored


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=PursuitDecision.Decision.choices,
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=MAX_TEXT,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Needed when the decision goes against the recommendation."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_decision_%s")
        super().__init__(*args, **kwargs)


class QuickContactForm(forms.ModelForm):
    """Just enough to name a person of the account while answering; the rest is filled in later."""

    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "function", "buying_role"]

    def __init__(self, *args, question_id: str = "", **kwargs):
        kwargs.setdefault("auto_id", f"id_new_{dom_id(question_id)}_%s")
        # Nothing but the question: the empty form every checklist page shows.
        self._plain = not args and not {"data", "files", "initial", "instance", "prefix"} & set(kwargs)
        super().__init__(*args, **kwargs)
        self.question_id = question_id

    def fields_html(self) -> str:
        """Its labelled fields. Empty, they look the same on every checklist page (per question and
        language): rendered once per process then, instead of a widget template per field on every page."""
        if not self._plain:
            return render_to_string(FIELDS_TEMPLATE, {"form": self})
        key = (self.question_id, get_language())
        if key not in _EMPTY_FIELDS:
            _EMPTY_FIELDS[key] = render_to_string(FIELDS_TEMPLATE, {"form": self})
        return _EMPTY_FIELDS[key]


FIELDS_TEMPLATE = "qualification/_new_contact_fields.html"
_EMPTY_FIELDS: dict[tuple[str, str | None], str] = {}  # a few questions × languages
