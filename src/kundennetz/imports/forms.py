"""Forms of the import wizard: the upload, and the mapping of columns to fields with reading options."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kundennetz.accounts.forms import account_managers
from kundennetz.accounts.models import ClosingReason, Stage
from kundennetz.core.permissions import restrict

from . import fields
from .models import Kind, SavedMapping
from .services import UPLOAD_MAX_BYTES

NOT_IMPORTED = ""


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file contains"), choices=())
    file = forms.FileField(label=_("File (CSV or Excel .xlsx)"),
                           help_text=_("Up to %(size)s MB. Checking and importing run in the background: "
                                       "you can leave the page and find the import again under Import.")
                           % {"size": f"{UPLOAD_MAX_BYTES / 1024 / 1024:.0f}"})
    saved_mapping = forms.ModelChoiceField(label=_("Saved mapping"), queryset=SavedMapping.objects.none(),
                                           required=False, empty_label=_("Detect automatically"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in Kind.choices if k in fields.kinds()]
        self.fields["saved_mapping"].queryset = restrict(SavedMapping.objects.all(), user)
        self.fields["saved_mapping"].label_from_instance = lambda m: f"{m.name} ({m.get_kind_display()})"

    def clean(self):
        data = super().clean()
        saved = data.get("saved_mapping")
        if saved is not None and data.get("kind") and saved.kind != data["kind"]:
            self.add_error("saved_mapping", _("This mapping is for another kind of records."))
        return data


DATE_ORDER_CHOICES = [("dmy", _("Day first: 31.12.2026, 31/12/2026")), ("mdy", _("Month first (US): 12/31/2026")),
                      ("ymd", _("Year first: 2026-12-31 only"))]
DECIMAL_CHOICES = [("auto", _("Automatic: 1'250.50, 1.250,50 and 1,250.50 all work")),
                   (".", _("Point: 1.250 is one and a quarter")), (",", _("Comma: 1,250 is one and a quarter"))]
ENCODING_CHOICES = [("auto", _("Detect")), ("utf-8", "UTF-8"), ("cp1252", "Windows-1252"),
                    ("latin-1", "Latin-1 (ISO-8859-1)"), ("utf-16", "UTF-16")]
DELIMITER_CHOICES = [("auto", _("Detect")), (";", ";"), (",", ","), ("tab", _("Tab")), ("|", "|")]


class MappingForm(forms.Form):
    """One choice per column of the file, then how to read it and what to do with it."""

    key = forms.ChoiceField(label=_("Find existing records by"))
    date_order = forms.ChoiceField(label=_("Dates with slashes"), choices=DATE_ORDER_CHOICES)
    decimal = forms.ChoiceField(label=_("Numbers"), choices=DECIMAL_CHOICES)
    default_country = forms.CharField(label=_("Country of phone numbers without prefix"), max_length=2,
                                      initial="CH")
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODING_CHOICES)
    delimiter = forms.ChoiceField(label=_("Delimiter"), choices=DELIMITER_CHOICES)
    save_as = forms.CharField(label=_("Save this mapping as"), max_length=100, required=False,
                              help_text=_("To reuse it for the next file of this kind."))

    def __init__(self, *args, batch, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch, self.user = batch, user
        kind = batch.kind
        labels = fields.labels(kind)
        choices = [(NOT_IMPORTED, _("— not imported —"))] + [(name, labels[name]) for name in fields.field_names(kind)]
        mapping = batch.mapping or {}
        columns = mapping.get("columns") or {}
        self.column_fields = []
        for index, header in enumerate(batch.headers):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(label=header, choices=choices, required=False,
                                                  initial=columns.get(header) or NOT_IMPORTED)
            self.column_fields.append((header, name))
        self.fields["key"].choices = [(key, fields.KEY_LABELS[key]) for key in fields.KEYS[kind]]
        # Amount columns whose decimal separator the check could not tell (or that were decided before).
        asked = set()
        if (batch.file_problem or {}).get("code") == "ambiguous_decimal":
            asked = {name.strip() for name in batch.file_problem["params"].get("columns", "").split(",")}
        decided = mapping.get("decimals") or {}
        self.decimal_fields = []
        for index, header in enumerate(batch.headers):
            if header in asked or header in decided:
                name = f"dec_{index}"
                self.fields[name] = forms.ChoiceField(
                    label=_("Numbers in “%(column)s”") % {"column": header}, required=header in asked,
                    choices=[("", _("— choose —")), (".", _("Point: 1.250 is one and a quarter")),
                             (",", _("Comma: 1.250 is one thousand two hundred and fifty"))],
                    initial=decided.get(header, ""))
                self.decimal_fields.append((header, name))
        if batch.file_format and batch.file_format != "csv":
            # An Excel sheet has no encoding or delimiter to choose: fields per file type.
            del self.fields["encoding"], self.fields["delimiter"]
        for name in ("key", "date_order", "decimal", "default_country", "encoding", "delimiter"):
            if name not in self.fields:
                continue
            value = mapping.get(name)
            if value:
                self.fields[name].initial = "tab" if (name == "delimiter" and value == "\t") else value
        defaults = mapping.get("defaults") or {}
        self.default_fields = []
        if "owner" in fields.specs(kind) and user.is_managing:
            self._default("owner", labels["owner"], [(u.username, str(u)) for u in account_managers()],
                          defaults)
        if kind == "opportunities":
            self._default("stage", labels["stage"], [(s.code, s.name) for s in Stage.objects.filter(is_active=True)],
                          defaults)
            self._default("closing_reason", labels["closing_reason"],
                          [(r.name, r.name) for r in ClosingReason.objects.filter(is_active=True)], defaults)

    def _default(self, target: str, label, options, defaults) -> None:
        name = f"default_{target}"
        self.fields[name] = forms.ChoiceField(
            label=label, required=False, choices=[("", _("— from the file —"))] + list(options),
            initial=defaults.get(target, ""), help_text=_("For every row whose cell is empty (or without the column)."))
        self.default_fields.append(name)

    def clean_default_country(self):
        value = (self.cleaned_data.get("default_country") or "CH").strip().upper()
        if len(value) != 2 or not value.isalpha():
            raise forms.ValidationError(_("Enter a two-letter ISO country code, e.g. CH."))
        return value

    def clean_save_as(self):
        return (self.cleaned_data.get("save_as") or "").strip()

    def mapping(self) -> dict:
        data = self.cleaned_data
        columns = {header: (data.get(name) or None) for header, name in self.column_fields}
        defaults = {name.removeprefix("default_"): data[name] for name in self.default_fields if data.get(name)}
        delimiter = data.get("delimiter") or "auto"
        decimals = {header: data[name] for header, name in self.decimal_fields if data.get(name) in (".", ",")}
        return {"columns": columns, "key": data["key"], "date_order": data["date_order"],
                "decimal": data["decimal"], "decimals": decimals, "default_country": data["default_country"],
                "defaults": defaults,
                "encoding": data.get("encoding") or "auto", "delimiter": "\t" if delimiter == "tab" else delimiter,
                "layout": (self.batch.mapping or {}).get("layout")}

