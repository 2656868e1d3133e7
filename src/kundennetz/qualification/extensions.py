"""What the apps above qualification add to a checklist. They hand it over in their AppConfig.ready, so
that this app never imports them: the win model rescores an opportunity whose headline answers changed
(``headline_answered``), the relationship map suggests an answer (``add_suggestion``) and the win model
fills a panel of the checklist page (``add_panel``)."""

from __future__ import annotations

from collections.abc import Callable

from django.dispatch import Signal

# Sent (sender: the Checklist model) with ``opportunity_ids`` once a headline answer of their checklists
# changed, in the transaction that saved it.
headline_answered = Signal()

_suggestions: list[Callable] = []
_panels: dict[str, Callable] = {}


def add_suggestion(suggest: Callable) -> None:
    """``suggest(checklist)`` gives a suggested answer (a ``wording.Suggested``) or None; asked after the
    answers derived from the opportunity's own figures, in the order the apps added theirs."""
    if suggest not in _suggestions:
        _suggestions.append(suggest)


def suggested(checklist) -> list:
    return [found for suggest in _suggestions if (found := suggest(checklist)) is not None]


def add_panel(name: str, context: Callable) -> None:
    """``context(opportunity, user)`` gives what the checklist page's panel ``name`` shows."""
    _panels[name] = context


def panel(name: str, opportunity, user):
    """What the panel ``name`` shows for the opportunity, or None while no app fills it."""
    context = _panels.get(name)
    return context(opportunity, user) if context is not None else None
