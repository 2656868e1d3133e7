"""The settings pages: admins see every tunable with its history and save a new version."""

import json

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError

from kundennetz.core.permissions import may_edit_settings

from . import ALL, BY_NAME, get, history, save, version
from . import messages as error_lines


class TunableForm(forms.Form):
    document = forms.CharField(label=gettext_lazy("Values (JSON)"), widget=forms.Textarea(attrs={"rows": 24,
                               "class": "mono", "spellcheck": "false"}))
    reason = forms.CharField(label=gettext_lazy("Reason for the change"), max_length=300,
                             help_text=gettext_lazy("Kept in the history, e.g. “fewer contacts for small customers”."))

    def __init__(self, *args, model=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model

    def clean_document(self):
        raw = self.cleaned_data["document"]
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Not valid JSON (line %(line)s, column %(column)s): %(message)s")
                                        % {"line": exc.lineno, "column": exc.colno, "message": exc.msg}) from None
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


@login_required
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
            row = save(model, form.cleaned_data["document"], request.user, form.cleaned_data["reason"])
            flash.success(request, _("Saved as version %(version)s.") % {"version": row.version})
            return redirect("settings_edit", name=name)
    else:
        form = TunableForm(model=model, initial={
            "document": json.dumps(current.model_dump(mode="json"), indent=2, ensure_ascii=False)})
    return render(request, "core/tunables/edit.html", {
        "model": model, "label": model.LABEL, "help": model.HELP, "form": form, "version": version(model),
        "defaults": json.dumps(model().model_dump(mode="json"), indent=2, ensure_ascii=False),
        "history": history(model)[:50],
    })


@login_required
def permission_table(request):
    from kundennetz.core.capabilities import ROLES, rows
    from kundennetz.core.roles import Role

    _admin_only(request)
    return render(request, "core/tunables/permissions.html", {
        "roles": [Role(r).label for r in ROLES], "rows": rows()})
