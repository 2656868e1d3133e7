"""The scoring model's refusals in words: what the domain finds wrong with a model definition (a code at
a place in the JSON), as an admin reads it where the model is edited."""

from django.utils.translation import gettext_lazy as _

from kundennetz.core import refusals
from kundennetz.domain.portfolio import ScoringModelError

SCORING_MODEL = {
    "threshold_count": _("needs exactly %(count)s ascending limits (five bands give the points 1 to 5)"),
    "min_equals_max": _("min and max must differ (both are %(value)s)"),
    "bad_source": _("%(value)s must be manual, field:<name> or computed:<name>"),
    "manual_source_and_scale": _("a manual source needs the manual scale, and the manual scale a manual source"),
    "thresholds_outside_0_100": _("every threshold must lie between 0 and 100 (both excluded), not %(values)s"),
    "band_range": _("must be a whole number from 0 to %(maximum)s, not %(value)s"),
    "bands_taken": _("the bands %(bands)s belong to the cell %(cell)s already"),
    "cells_missing": _("needs one cell for each of the %(expected)s pairs of bands; missing: %(missing)s"),
    "shares_exceed_budget": _("the %(share)s of its strategies add up to %(total)s, more than the whole budget (1)"),
    "bad_roles": _("must be a list of buying-centre roles: %(allowed)s"),
    "bad_time_limit": _("must be a positive whole number of months or null"),
    "bad_color": _("must be a colour like #1a2b3c, not %(value)s"),
    "duplicate_keys": _("each criterion key may be used once across both axes: %(keys)s"),
    "no_grids": _("needs at least one grid"),
    "bad_grid_key": _("%(value)s is no valid key of a grid"),
    "no_axis_weight": _("at least one axis needs a weight above 0"),
    "abc_order": _("needs 0 < a < b ≤ 1 (cumulative shares), not a = %(a)s, b = %(b)s"),
}


def scoring_model_refusal(error: ScoringModelError) -> str:
    """Why the definition cannot be used, in the active language ("<place>: <what is wrong>")."""
    return refusals.describe(error, SCORING_MODEL)
