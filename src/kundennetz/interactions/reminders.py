"""The daily reminder mail: everyone responsible for accounts gets their overdue and due contacts.

Due contacts for all accounts come from one set of MAX(date) aggregates (`services.due_for_accounts`),
grouped by the responsible manager. A `ReminderLog` row per person and day keeps a second cron run
from sending the same mail twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kundennetz.accounts.models import Account
from kundennetz.core.models import User
from kundennetz.domain import reminders as domain_reminders

from . import services
from .models import ReminderLog
from .wording import role_text, span_text


@dataclass
class Line:
    name: str
    email: str
    items: int
    status: str  # sent, skipped (already today), nothing (nothing due), no e-mail, would send


def _site_url() -> str:
    return getattr(settings, "KUNDENNETZ_SITE_URL", "").rstrip("/")


def reminded_users():
    """Everyone active who is responsible for accounts (account managers, the sales head with their own
    key accounts, anyone else named owner), by name."""
    owners = Account.objects.values("owner_id")
    return User.objects.filter(is_active=True, pk__in=owners).order_by("last_name", "first_name", "username")


def _who(d) -> str:
    """Who a due item is about, in the active language (``present`` runs in the reader's)."""
    if d.contact_id is None:
        return _("the account as a whole")
    return f"{d.name} ({role_text(d.role)})" if d.role else str(d.name)


def present(due, lang: str) -> list[dict]:
    """Due contacts per account as the reminder mail and My week show them: due and recently overdue
    items one by one, people never met in one line, long-overdue items summarised in one line."""
    groups = []
    for reminder in domain_reminders.digest(due):
        never = [d for d in reminder.never_met if d.contact_id is not None]
        never_account = next((d for d in reminder.never_met if d.contact_id is None), None)
        group = {
            "account_id": reminder.account_id,
            "items": [{"due": d, "overdue": d.overdue, "due_date": d.due_date,
                       "text": services.reason_text(d.reason, lang)} for d in reminder.items],
            "never_contacted": services.reason_text(never_account.reason, lang) if never_account else "",
            "never_met": ", ".join(_who(d) for d in never),
            "never_met_items": never,
            "long_overdue": "",
            "long_overdue_items": list(reminder.long_overdue),
            "count": len(reminder.all), "overdue": reminder.overdue,
        }
        if reminder.long_overdue:
            last = reminder.last_contact
            group["long_overdue"] = ngettext(
                "%(count)s contact long overdue (%(who)s), the oldest for %(span)s",
                "%(count)s contacts long overdue (%(who)s), the oldest for %(span)s",
                len(reminder.long_overdue)) % {
                "count": len(reminder.long_overdue), "span": span_text(reminder.longest_overdue_days),
                "who": ", ".join(_who(d) for d in reminder.long_overdue)}
            if last is not None:
                group["long_overdue"] += "; " + _("last contact %(day)s") % {
                    "day": formats.date_format(last, "SHORT_DATE_FORMAT")}
        groups.append(group)
    return groups


def send_reminders(day, *, within_days: int | None = None, dry_run: bool = False, force: bool = False) -> list[Line]:
    managers = list(reminded_users())
    accounts = Account.objects.filter(owner__in=managers)
    within_days = services.due_within_days() if within_days is None else within_days
    due = services.due_for_accounts(accounts, day, within_days)
    by_manager: dict = {}
    for item in due:
        by_manager.setdefault(item.manager_id, []).append(item)
    names = dict(Account.objects.filter(pk__in={d.account_id for d in due}).values_list("pk", "name"))
    already = set() if force else set(ReminderLog.objects.filter(day=day).values_list("user_id", flat=True))
    report = []
    for manager in managers:
        items = by_manager.get(manager.pk, [])
        if not items:
            report.append(Line(str(manager), manager.email, 0, "nothing"))
            continue
        if not manager.email:
            report.append(Line(str(manager), "", len(items), "no e-mail"))
            continue
        if manager.pk in already:
            report.append(Line(str(manager), manager.email, len(items), "skipped"))
            continue
        if dry_run:
            report.append(Line(str(manager), manager.email, len(items), "would send"))
            continue
        _send(manager, items, names, day, within_days, force)
        report.append(Line(str(manager), manager.email, len(items), "sent"))
    return report


def _send(manager, items, names, day, within_days, force) -> None:
    with translation.override(manager.language or settings.LANGUAGE_CODE):
        lang = services.reason_language()
        groups = present(items, lang)
        for group in groups:
            group["name"] = names.get(group["account_id"], "")
        context = {
            "manager": manager, "groups": groups, "day": day, "within": within_days,
            "overdue": sum(1 for d in items if d.overdue), "count": len(items), "site_url": _site_url(),
        }
        subject = _("Kundennetz: %(count)s contacts due (%(overdue)s overdue)") % {
            "count": len(items), "overdue": context["overdue"]}
        text = render_to_string("interactions/email/reminder.txt", context)
        html = render_to_string("interactions/email/reminder.html", context)
    # Recorded before sending and in one transaction with it: a failed send leaves no record, and
    # two cron runs at once cannot both send (the second hits the unique day).
    with transaction.atomic():
        if force:
            ReminderLog.objects.filter(user=manager, day=day).delete()
        try:
            with transaction.atomic():
                ReminderLog.objects.create(user=manager, day=day, items=len(items))
        except IntegrityError:
            return
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [manager.email])
        message.attach_alternative(html, "text/html")
        message.send()
