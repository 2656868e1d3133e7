"""The form that adds a relation on an account's map page; the rules are the model's (`Relation.clean`)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from kundennetz.accounts.forms import RecordForm

from .models import Relation


class RelationForm(RecordForm):
    fieldsets = [(_("New relation"), ["kind", "user", "contact", "other", "strength", "source", "note"])]

    class Meta(RecordForm.Meta):
        model = Relation
        fields = ["kind", "user", "contact", "other", "strength", "source", "note"]

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.account = account
        people = account.contacts.all()
        self.fields["contact"].queryset = people
        self.fields["other"].queryset = people
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True).order_by(
            "last_name", "first_name", "username")
        self.fields["user"].help_text = _("For “knows”: which of our people knows the contact.")
        self.fields["strength"].help_text = _("For “knows”: 0 (barely) to 1 (close), or leave it to the "
                                              "interactions.")
