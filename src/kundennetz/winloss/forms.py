from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kundennetz.accounts.models import Segment
from kundennetz.core.forms import VersionField
from kundennetz.core.numberfields import NumberField

from .models import DeclinedOutcome


class BidCostForm(forms.Form):
    segment = forms.ModelChoiceField(label=_("Customer group"), queryset=Segment.objects.all(), required=False,
                                     empty_label=_("Accounts without a customer group"))
    amount = NumberField(label=_("Cost of a bid"), min_value=Decimal("0"), max_digits=14, decimal_places=2)


class DeclinedOutcomeForm(forms.Form):
    # The version of the outcome the page showed (0: none yet), so a stale save cannot replace a newer one.
    version = VersionField()
    outcome = forms.ChoiceField(label=_("What became of it"), choices=DeclinedOutcome.Outcome.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
