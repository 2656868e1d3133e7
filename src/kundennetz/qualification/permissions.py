"""Who may do what with checklists and pursuit decisions, built on ``core.permissions`` and the
capability table.

Who sees and answers a checklist follows its opportunity (``core.permissions.restrict``: whoever may
change the opportunity answers). Deciding whether to pursue is qualification's own rule: the capability
or being named as our decision maker in the checklist, and four eyes (``domain.pursuit``).
"""

from kundennetz.core.permissions import can
from kundennetz.domain import pursuit

from .models import Checklist, answer_values

OUR_DECIDER = "user"  # question type naming our internal decision maker


def internal_decider_id(checklist: Checklist) -> int | None:
    """The user named in the checklist as who decides on our side whether to pursue."""
    values = answer_values(checklist)
    for question in checklist.catalogue.rules.questions():
        if question.type == OUR_DECIDER and values.get(question.id):
            return int(values[question.id])
    return None


def decider_refusal(user, checklist: Checklist, *, seen: bool = False) -> str | None:
    """Why ``user`` may not decide on pursuing the checklist's opportunity (a code of
    ``domain.pursuit``), or None. Deciding needs the capability (sales head, admin, or being named as
    our decision maker in the checklist; marketing and read-only never) and four eyes: not the
    opportunity's owner, unless the setting ``PursuitRules`` allows self-decision up to an amount.
    `seen`: the opportunity was just loaded for the user through ``get_for`` (no need to ask again)."""
    from kundennetz.core import tunables
    from kundennetz.core.capabilities import has
    from kundennetz.core.tunables.schemas import PursuitRules

    opportunity = checklist.opportunity
    holds = ((seen or can(user, "view", opportunity)) and not user.is_observing
             and (has(user, "decide_pursuit") or internal_decider_id(checklist) == user.pk))
    owner_may = tunables.get(PursuitRules).owner_may_decide(opportunity.expected_volume)
    return pursuit.decider_refusal(holds_capability=holds, is_owner=opportunity.owner_id == user.pk,
                                   owner_may_decide=owner_may)


def may_decide(user, checklist: Checklist, *, seen: bool = False) -> bool:
    """Whether ``user`` may record the pursuit decision (see ``decider_refusal``)."""
    return decider_refusal(user, checklist, seen=seen) is None
