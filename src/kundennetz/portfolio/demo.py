"""The portfolio part of the demo: value propositions, people's ratings, two overrides and two snapshots
(last quarter and this one, with a few accounts changing cell in between, so that arrows show)."""

from __future__ import annotations

from datetime import timedelta

from kundennetz.accounts.models import Segment

from . import services
from .models import ManualRating, PortfolioSnapshot, StrategyOverride, ValueProposition, period_of

# After every part that adds records the scores read (deals, interactions, relations), so that the
# snapshots count them (see sample.demo._extensions).
DEMO_STEP = 100
PROPOSITIONS = [
    # roles, segments, strategies, German title and text, English title and text
    (["decision_maker"], [], [],
     "Planbare Kosten", "Festpreis pro Projektphase und ein transparentes Änderungsverfahren: keine Überraschungen "
     "im Budget.",
     "Predictable cost", "A fixed price per project phase and a transparent change procedure: no surprises in the "
     "budget."),
    (["decision_maker", "influencer"], ["key_accounts"], [],
     "Ein Ansprechpartner für alles", "Ein fester Kundenverantwortlicher koordiniert alle Leistungen über "
     "Standorte und Fachbereiche hinweg.",
     "One contact for everything", "A dedicated account lead coordinates every service across sites and "
     "departments."),
    (["technical_evaluator"], [], [],
     "Geprüfte Qualität", "Zertifizierte Vorgehensweise (ISO 9001, ISO 27001) und nachvollziehbare Tests bei jeder "
     "Lieferung.",
     "Proven quality", "Certified methods (ISO 9001, ISO 27001) and traceable tests with every delivery."),
    (["user"], [], [],
     "Schnell produktiv", "Schulung am Arbeitsplatz und ein Support in Deutsch, Französisch und Italienisch.",
     "Productive fast", "Training at the workplace and support in German, French and Italian."),
    (["decision_maker", "coach"], [], ["big_step_or_out", "invest_selectively"],
     "Pilot in 90 Tagen", "Ein klar abgegrenzter Pilot zeigt in drei Monaten, was wir leisten – mit messbaren "
     "Zielen und Ausstiegsoption.",
     "Pilot in 90 days", "A clearly bounded pilot shows within three months what we deliver – with measurable goals "
     "and a way out."),
    (["decision_maker", "influencer", "coach"], [], ["hold_and_expand", "invest_for_growth"],
     "Gemeinsame Roadmap", "Jährliche Planung mit der Geschäftsleitung: Ihre Vorhaben der nächsten drei Jahre und "
     "was wir dazu beitragen.",
     "Joint roadmap", "Yearly planning with your management: your plans for the next three years and what we "
     "contribute."),
    (["decision_maker", "gatekeeper"], ["public_sector"], [],
     "Beschaffungskonform", "Angebote nach den Vorgaben des öffentlichen Beschaffungsrechts (BöB/IVöB), mit "
     "Referenzen aus Bund, Kantonen und Gemeinden.",
     "Procurement-ready", "Offers that follow public procurement law (BöB/IVöB), with references from federal, "
     "cantonal and municipal bodies."),
    (["user", "technical_evaluator"], ["small"], ["hold_efficiently", "selective_withdrawal", "manage_for_cash"],
     "Self-Service-Portal", "Tickets, Dokumentation und Rechnungen rund um die Uhr online – ohne Wartezeit.",
     "Self-service portal", "Tickets, documentation and invoices online around the clock – no waiting."),
]

CRITERIA = ("price_realisation", "cooperation_reference", "strategic_fit", "customer_satisfaction")


def _clear() -> None:
    for snapshot in PortfolioSnapshot.objects.all():
        services.delete_snapshot(snapshot)
    ValueProposition.objects.all().delete()
    ValueProposition.history.model.objects.all().delete()


def extend_demo(context) -> None:
    if context.force:
        _clear()
    rng = context.random("portfolio")
    admin = context.admin
    segments = {s.code: s for s in Segment.objects.all()}
    for order, (roles, segment_codes, strategies, title_de, text_de, title_en, text_en) in enumerate(PROPOSITIONS):
        item = ValueProposition(title_de=title_de, title_en=title_en, text_de=text_de, text_en=text_en,
                                roles=roles, strategies=strategies, order=order)
        item.stamp(admin)
        item._history_user = admin
        item.save()
        item.segments.set([segments[c] for c in segment_codes if c in segments])
    context.count("value propositions", len(PROPOSITIONS))

    for account in context.accounts:
        for criterion in CRITERIA:
            if rng.random() < 0.8:
                services.set_rating(account, account.owner, criterion, rng.choice((1, 2, 3, 3, 4, 4, 5)), "")

    sales_head = next((u for u in context.users.values() if getattr(u, "role", "") == "sales_head"), admin)
    today = context.today
    previous_day = today - timedelta(days=92)
    services.recompute(period=period_of(previous_day), as_of=previous_day, user=sales_head)
    # Some accounts were re-assessed since: their cell may change, which the picture shows as arrows.
    for account in rng.sample(context.accounts, k=min(8, len(context.accounts))):
        for criterion in ("strategic_fit", "customer_satisfaction"):
            services.set_rating(account, account.owner, criterion, rng.choice((1, 2, 4, 5)), "")
    for account, strategy, reason in zip(
            rng.sample(context.accounts, k=min(2, len(context.accounts))),
            ("hold_and_expand", "big_step_or_out"),
            ("Reference customer for the new service line.", "Board decision: decide within twelve months.")):
        services.set_override(account, sales_head, strategy, reason)
    services.recompute(period=period_of(today), as_of=today, user=sales_head)
    context.count("portfolio snapshots", 2)
    context.count("strategy overrides", StrategyOverride.objects.count())
    context.count("manual ratings", ManualRating.objects.count())
