"""Forms of the user's own profile (language, API tokens), and what every record form shares: the version
that keeps a stale form from overwriting a colleague's change unseen."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .models import User, record_version


class LanguageForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name of the new token"), max_length=100,
                           help_text=_("What the token is for, e.g. “Excel report”."))


class VersionField(forms.IntegerField):
    """The version of a record as a form showed it: hidden, written by the page, never typed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        super().__init__(min_value=0, max_value=2**31 - 1, **kwargs)


class VersionedFormMixin:
    """Optimistic concurrency for a form that edits a stored record (mix in before ``ModelForm``).

    The form carries the version of the record as it was shown and, signed, the values it showed
    (hidden ``version`` and ``original``). When someone else saved the record in the meantime:

    - a field only they changed takes their value (the form would otherwise write back the old one);
    - a field only the user changed keeps the user's value;
    - a field both changed differently is a conflict: saving is refused and `conflicts` lists field,
      theirs and yours; the form is shown again based on the current version, so that saving once more
      takes over, while reloading the page keeps theirs.

    The save itself names the version it is based on (see `VersionedModel`), so a save racing past this
    check is refused too, never silently applied.
    """

    version_field = "version"
    original_field = "original"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflicts: list[Conflict] = []
        self.conflict_record = None
        version = record_version(self.instance)
        if self.instance.pk is not None and version is not None:
            # Named like the record's version field (``version`` unless that name means something else).
            self.version_field = type(self.instance).version_field
            self.fields[self.version_field] = VersionField()
            self.fields[self.original_field] = forms.CharField(widget=forms.HiddenInput, required=False)
            self.initial.setdefault(self.version_field, version)
            self.initial.setdefault(self.original_field, _sign(self, self.instance))

    @property
    def concurrency_fields(self) -> list:
        """The hidden fields carrying what the form showed, for templates that place them by hand."""
        return [self[name] for name in (self.version_field, self.original_field) if name in self.fields]

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get(self.version_field) if self.version_field in self.fields else None
        if seen is None:
            return cleaned
        current = type(self.instance)._base_manager.filter(pk=self.instance.pk).first()
        if current is None or record_version(current) == seen:
            setattr(self.instance, self.version_field, seen)
            return cleaned
        original = _unsign(cleaned.get(self.original_field))
        conflicts = []
        for name, field, theirs in _stored_values(self, current):
            if name not in cleaned:
                continue
            yours = cleaned[name]
            if _key(theirs) == _key(yours):
                continue
            if original is not None and name in original:
                if _key(theirs) == original[name]:
                    continue  # only the user changed it: theirs is untouched, the user's value stands
                if _key(yours) == original[name]:
                    cleaned[name] = theirs  # only they changed it: keep theirs instead of writing back the old
                    continue
            conflicts.append(Conflict(name=name, label=str(field.label or name), theirs=_shown(field, theirs),
                                      yours=_shown(field, yours)))
        if not conflicts:
            setattr(self.instance, self.version_field, record_version(current))
            return cleaned
        self.conflicts, self.conflict_record = conflicts, current
        # Shown again based on what is stored now: saving once more takes over, knowingly.
        self.data = self.data.copy()
        self.data[self.add_prefix(self.version_field)] = str(record_version(current))
        self.data[self.add_prefix(self.original_field)] = _sign(self, current)
        raise forms.ValidationError(
            _("Someone else saved this record while you were editing it. Compare below: keep theirs, or "
              "save yours again to replace theirs."), code="stale")


@dataclass
class Conflict:
    name: str
    label: str
    theirs: str
    yours: str


def _stored_values(form, record):
    """(name, form field, value stored in `record`) for each form field that is a field of the model."""
    for name, field in form.fields.items():
        if name in (form.version_field, form.original_field):
            continue
        try:
            model_field = record._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if model_field.many_to_many:
            value = list(getattr(record, name).all()) if record.pk else []
        elif model_field.is_relation:
            value = getattr(record, name)
        else:
            value = getattr(record, model_field.attname)
        yield name, field, value


def _key(value):
    """A value reduced to what compares equal however it was read (model → id, 1000.00 → 1000, '' → None)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return sorted(str(_key(item)) for item in value)
    if value in (None, ""):
        return None
    if isinstance(value, Decimal):
        return str(value.normalize()) if value.is_finite() else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _sign(form, record) -> str:
    return sign_shown({name: _key(value) for name, _field, value in _stored_values(form, record)})


def sign_shown(values: dict) -> str:
    """The values a page showed, signed, for a hidden field: on a stale save they tell apart what the user
    changed from what someone else changed meanwhile (see `VersionedFormMixin`)."""
    return signing.dumps(values, salt=SIGNING_SALT, compress=True)


def unsign_shown(value) -> dict | None:
    """What `sign_shown` signed, or None when missing or tampered with."""
    return _unsign(value)


def _unsign(value) -> dict | None:
    if not value:
        return None
    try:
        return signing.loads(value, salt=SIGNING_SALT)
    except signing.BadSignature:
        return None


SIGNING_SALT = "kundennetz.forms.original"


def _shown(field, value) -> str:
    if value in (None, "", []) or (isinstance(value, models.QuerySet) and not value.exists()):
        return "–"
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    choices = getattr(field, "choices", None)
    if choices and not isinstance(value, models.Model):
        try:
            labels = {str(key): label for key, label in choices}
        except (TypeError, ValueError):
            labels = {}
        if str(value) in labels:
            return str(labels[str(value)])
    return str(formats.localize(value, use_l10n=True))


class VersionedAdminMixin:
    """For a ModelAdmin: its change form carries the record's version (see `VersionedFormMixin`), so a
    stale save in the admin shows the conflict instead of overwriting a colleague's change."""

    change_form_template = "admin/kundennetz/versioned_change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.get("form", self.form)
        if not issubclass(base, VersionedFormMixin):
            kwargs["form"] = type(f"Versioned{base.__name__}", (VersionedFormMixin, base), {})
        return super().get_form(request, obj, change, **kwargs)
