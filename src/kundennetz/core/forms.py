"""Forms of the user's own profile: language and API tokens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class LanguageForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name of the new token"), max_length=100,
                           help_text=_("What the token is for, e.g. “Excel report”."))
