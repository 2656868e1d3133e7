"""Core values, messages and value propositions: everyone reads them, marketing (and admin) keeps them.

A message is never deleted here: it is retired by ending its validity, so that the interactions
that carried it keep naming it and the measures can tell an outdated message from an unknown one.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_http_methods, require_safe

from kundennetz.accounts.views.history import Change, Entry
from kundennetz.core.permissions import CHANGE, get_for, restrict
from kundennetz.core.services import save_record

from .forms import CoreMessageForm
from .models import CoreMessage
from .permissions import may_edit_core_messages

STATES = ("current", "retired", "planned", "all")


def _require_editor(request):
    if not may_edit_core_messages(request.user):
        raise PermissionDenied


@login_required
@require_safe
def message_list(request):
    today = timezone.localdate()
    state = request.GET.get("state") if request.GET.get("state") in STATES else "current"
    queryset = restrict(CoreMessage.objects.all(), request.user).annotate(carried=Count("interactions", filter=Q(
        interactions__deleted_at__isnull=True))).order_by("kind", "text_de", "id")
    started = Q(valid_from__isnull=True) | Q(valid_from__lte=today)
    not_ended = Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    if state == "current":
        queryset = queryset.filter(started & not_ended)
    elif state == "retired":
        queryset = queryset.filter(valid_to__lt=today)
    elif state == "planned":
        queryset = queryset.filter(valid_from__gt=today)
    return render(request, "interactions/message_list.html", {
        "records": queryset, "state": state, "can_edit": may_edit_core_messages(request.user),
        "kinds": CoreMessage.Kind, "today": today,
    })


@login_required
@require_http_methods(["GET", "POST"])
def message_edit(request, pk=None):
    _require_editor(request)
    message = get_for(CoreMessage.objects.all(), request.user, pk, CHANGE) if pk else CoreMessage()
    form = CoreMessageForm(request.POST or None, instance=message, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except ValidationError:
            pass  # the errors are on the form now
        else:
            messages.success(request, _("Core message saved."))
            return redirect("interactions:message_list")
    history, truncated = _history(message) if message.pk else ([], False)
    return render(request, "interactions/message_form.html", {
        "form": form, "message": message, "history": history, "history_truncated": truncated,
        "heading": _("Edit core message") if message.pk else _("New core message"),
    })


def _history(message, limit: int = 50):
    """Who changed which text or validity when (a core message is never trashed, so only created/changed)."""
    rows = list(message.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit + 1])
    entries = []
    for newer, older in zip(rows[:limit], [*rows[1:limit + 1], None]):
        if older is None:
            entries.append(Entry(newer.history_date, newer.history_user, "created"))
            continue
        changes = []
        delta_set = newer.diff_against(older, excluded_fields=["created_at", "created_by", "updated_by"])
        for delta in delta_set.changes:
            field = CoreMessage._meta.get_field(delta.field)
            changes.append(Change(str(field.verbose_name).capitalize(), _shown(field, delta.old), _shown(field, delta.new)))
        if changes:
            entries.append(Entry(newer.history_date, newer.history_user, "changed", changes))
    return entries, len(rows) > limit


def _shown(field, value) -> str:
    if value in (None, ""):
        return "–"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "isoformat"):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


@login_required
@require_POST
def message_retire(request, pk):
    _require_editor(request)
    message = get_for(CoreMessage.objects.all(), request.user, pk, CHANGE)
    today = timezone.localdate()
    if message.valid_to is None or message.valid_to > today:
        # Valid up to and including today: what was said today still counted.
        message.valid_to = max(today, message.valid_from) if message.valid_from else today
        save_record(message, request.user)
        messages.success(request, _("“%(text)s” is retired; it stays in the history of the interactions "
                                    "that carried it.") % {"text": message.text})
    return redirect("interactions:message_list")
