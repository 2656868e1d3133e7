"""The settings pages: admins see every tunable with its history and save a new version."""

import json
from types import SimpleNamespace

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from pydantic import ValidationError

from kundennetz.core.forms import Conflict, VersionField
from kundennetz.core.permissions import may_edit_settings

from . import ALL, BY_NAME, StaleSettings, get, history, save, three_way, version
from . import messages as error_lines


class TunableForm(forms.Form):
    # The version the page showed, so that saving cannot silently replace a colleague's newer version.
    version = VersionField()
    document = forms.CharField(label=gettext_lazy("Values (JSON)"), widget=forms.Textarea(attrs={"rows": 24,
                               "class": "mono", "spellcheck": "false"}))
    reason = forms.CharField(label=gettext_lazy("Reason for the change"), max_length=300,
                             help_text=gettext_lazy("Kept in the history, e.g. “fewer contacts for small customers”."))

    def __init__(self, *args, model=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model
        self.conflicts: list[Conflict] = []
        self.conflict_record = None

    def show_conflicts(self, keys: list[str], yours: dict, current) -> None:
        """Refuse the save, list key, theirs and yours, and base the form on the version now in force,
        so that saving once more takes over (knowingly)."""
        theirs = current.data if current else {}
        self.conflicts = [Conflict(name=key, label=key, theirs=_json(theirs.get(key)), yours=_json(yours.get(key)))
                          for key in keys]
        self.conflict_record = SimpleNamespace(updated_by=current.created_by if current else None,
                                               updated_at=current.created_at if current else None)
        self.data = self.data.copy()
        self.data["version"] = str(current.version if current else 0)
        self.add_error(None, _("Someone else saved these settings while you were editing them. Compare below: "
                               "keep theirs, or save yours again to replace theirs."))

    def clean_document(self):
        raw = self.cleaned_data["document"]
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            # Python's own description of the mistake is English: the place says where to look.
            raise forms.ValidationError(_("Not valid JSON: look at line %(line)s, column %(column)s.")
                                        % {"line": exc.lineno, "column": exc.colno}) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(_("The values must be one JSON object {…}."))
        try:
            self.model.model_validate(data)
        except ValidationError as exc:
            raise forms.ValidationError(error_lines(exc)) from None
        return data


def _admin_only(request):
    if not may_edit_settings(request.user):
        raise PermissionDenied(_("Only an admin may change the settings."))


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _save(request, model, form):
    """Save the form's values; based on an older version, merge them (`three_way`) or show the conflicts."""
    document, based_on = form.cleaned_data["document"], form.cleaned_data.get("version")
    if based_on is not None and based_on != version(model):
        document, conflicts, current = three_way(model, based_on, document)
        if conflicts:
            form.show_conflicts(conflicts, document, current)
            return None
        based_on = current.version if current else 0
    try:
        return save(model, document, request.user, form.cleaned_data["reason"], based_on=based_on)
    except StaleSettings:  # saved by someone else between the check and the save: compare again
        _merged, conflicts, current = three_way(model, based_on, document)
        form.show_conflicts(conflicts or sorted(document), document, current)
        return None


@login_required
@require_safe
def settings_list(request):
    _admin_only(request)
    rows = [{"model": m, "name": m.NAME, "label": m.LABEL, "version": version(m),
             "last": history(m).first()} for m in ALL]
    return render(request, "core/tunables/list.html", {"rows": rows})


@login_required
def settings_edit(request, name):
    _admin_only(request)
    model = BY_NAME.get(name)
    if model is None:
        raise Http404(_("No such setting."))
    current = get(model)
    if request.method == "POST":
        form = TunableForm(request.POST, model=model)
        if form.is_valid():
            row = _save(request, model, form)
            if row is not None:
                flash.success(request, _("Saved as version %(version)s.") % {"version": row.version})
                return redirect("settings_edit", name=name)
    else:
        form = TunableForm(model=model, initial={
            "version": version(model),
            "document": json.dumps(current.model_dump(mode="json"), indent=2, ensure_ascii=False)})
    return render(request, "core/tunables/edit.html", {
        "model": model, "label": model.LABEL, "help": model.HELP, "form": form, "version": version(model),
        "defaults": json.dumps(model().model_dump(mode="json"), indent=2, ensure_ascii=False),
        "history": history(model)[:50],
    })


@login_required
@require_safe
def permission_table(request):
    from kundennetz.core.capabilities import ROLES, rows
    from kundennetz.core.roles import Role

    _admin_only(request)
    return render(request, "core/tunables/permissions.html", {
        "roles": [Role(r).label for r in ROLES], "rows": rows()})
