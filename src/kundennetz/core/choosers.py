"""Searchable choosers: a record is picked by typing part of its name, never from a list of every record.

`ChooserSelect` renders a `<select>` holding only the chosen record(s) and an empty choice, with a search
box beside it; typing asks an endpoint (see `chooser_response`) for the first matches, which replace the
select's options. The form field keeps its queryset, so a submitted id is still checked against what the
user may choose (one query by primary key), and a page's size no longer grows with the data.
"""

from __future__ import annotations

from django import forms
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

CHOOSER_LIMIT = 20


class ChooserSelect(forms.Select):
    """A select offering only the chosen value; a search box fills it with matches from `url_name`."""

    def __init__(self, url_name: str, attrs=None, params: str = ""):
        super().__init__(attrs)
        self.url_name = url_name
        self.params = params

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.url_name, copy.params = self.url_name, self.params
        return copy

    def _chosen_choices(self, value):
        """The empty choice and the chosen records only (one query by primary key)."""
        choices = self.choices
        field = getattr(choices, "field", None)
        wanted = [str(v) for v in (value or []) if v not in (None, "")]
        result = []
        if field is None:  # plain choices: keep those chosen and the empty one
            return [(k, v) for k, v in choices if str(k) in wanted or k in ("", None)]
        if field.empty_label is not None:
            result.append(("", field.empty_label))
        digits = [v for v in wanted if v.isdigit() and len(v) < 19]
        if digits:
            for obj in field.queryset.filter(pk__in=digits):
                result.append((obj.pk, field.label_from_instance(obj)))
        return result

    def optgroups(self, name, value, attrs=None):
        groups = []
        for index, (option_value, option_label) in enumerate(self._chosen_choices(value)):
            selected = str(option_value) in value and option_value not in ("", None)
            groups.append((None, [self.create_option(name, option_value, option_label, selected, index,
                                                     attrs=attrs)], index))
        return groups

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        select_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        params = "&".join(p for p in (self.params, f"keep={name}" if self.allow_multiple_selected else "") if p)
        url = reverse(self.url_name) + (f"?{params}" if params else "")
        # A multiple chooser sends what it holds with each search (hx-include), so the answer keeps it chosen.
        include = format_html(' hx-include="#{}"', select_id) if self.allow_multiple_selected else ""
        search = format_html(
            '<input type="search" class="chooser-search" form="chooser-none" name="term" autocomplete="off" '
            'id="{}-search" aria-label="{}" placeholder="{}" aria-controls="{}" hx-get="{}" '
            'hx-trigger="input changed delay:250ms, search" hx-target="#{}" hx-swap="innerHTML" hx-sync="this:replace"{}>',
            select_id, _("Search to choose"), _("Type to search…"), select_id, url, select_id, include)
        return mark_safe(f'<span class="chooser">{search}{select}</span>')


class ChooserSelectMultiple(ChooserSelect, forms.SelectMultiple):
    """A multiple select offering only the chosen records; the search box adds matches beside them (the
    chosen ones are sent along and come back chosen, so a search never drops a choice)."""

    allow_multiple_selected = True


def kept_ids(request) -> list[int]:
    """The ids a multiple chooser has chosen already (sent along under the field's name, see ``keep``)."""
    name = request.GET.get("keep") or ""
    return [int(v) for v in request.GET.getlist(name) if v.isdigit() and len(v) < 19][:200] if name else []


def term_words(request) -> list[str]:
    return [w for w in (request.GET.get("term") or request.GET.get("q") or "").split() if w][:8]


def chooser_response(request, rows: list[tuple[object, str]], *, more: bool, empty_label: str,
                     kept: list[tuple[object, str]] = ()):
    """Options for a chooser's select (HTML), or ``{"results": [{"id", "text"}], "more"}`` as JSON.

    ``kept``: the records a multiple chooser has chosen already, listed first and chosen (no empty choice)."""
    if request.GET.get("format") == "json" or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"results": [{"id": pk, "text": text} for pk, text in rows], "more": more})
    kept_pks = {pk for pk, _text in kept}
    html = render_to_string("core/_chooser_options.html", {
        "rows": [row for row in rows if row[0] not in kept_pks], "more": more, "kept": kept,
        "multiple": bool(request.GET.get("keep")), "empty_label": empty_label})
    return HttpResponse(html)
