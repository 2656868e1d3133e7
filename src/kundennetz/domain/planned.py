"""Planned care of an account in a period: the one figure every page shows.

``implied_effort`` turns a care intensity (contacts per year min/max, minimum per quarter, hours per
year) into the hours and contacts of a period — the plan the strategy implies. It works on floats and
on numpy arrays alike (planning computes every account at once with it). ``planned`` picks the
figure: the adopted allocation when one is adopted for the period, else the strategy's plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ADOPTED, STRATEGY, DEFAULT = "adopted", "strategy", "default"
SOURCES = (ADOPTED, STRATEGY, DEFAULT)


@dataclass(frozen=True)
class Effort:
    hours: np.ndarray | float        # typical hours of the period
    hours_min: np.ndarray | float
    hours_max: np.ndarray | float
    contact_hours: np.ndarray | float
    contacts: np.ndarray | float     # typical contacts of the period
    contacts_min: np.ndarray | float


def implied_effort(contacts_min, contacts_max, min_per_quarter, hours_per_year, share_of_year: float, *,
                   contact_hours_range: tuple[float, float], default_contact_hours: float) -> Effort:
    """What an intensity asks for in a period that is ``share_of_year`` of a year.

    Hours per contact follow from the intensity's hours and its middle number of contacts (clipped to
    ``contact_hours_range``; ``default_contact_hours`` where they cannot be derived). The typical hours
    are the intensity's hours for the period, kept between what the minimum contacts (per year, and per
    quarter) and the maximum contacts need; the typical contacts are those hours over hours per contact.
    """
    cmin, cmax = np.asarray(contacts_min, dtype=float), np.asarray(contacts_max, dtype=float)
    per_quarter, hours = np.asarray(min_per_quarter, dtype=float), np.asarray(hours_per_year, dtype=float)
    middle = (cmin + cmax) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        per_contact = np.where(middle > 0, hours / np.where(middle > 0, middle, 1.0), default_contact_hours)
    per_contact = np.where(hours > 0, per_contact, default_contact_hours)
    per_contact = np.clip(per_contact, *contact_hours_range)
    least = np.maximum(cmin * share_of_year, per_quarter * 4 * share_of_year)
    hours_min = least * per_contact
    hours_max = np.maximum(cmax * share_of_year * per_contact, hours_min)
    typical = np.clip(hours * share_of_year, hours_min, hours_max)
    effort = Effort(typical, hours_min, hours_max, per_contact, typical / per_contact, least)
    if np.ndim(typical) == 0:
        return Effort(*(float(v) for v in (effort.hours, effort.hours_min, effort.hours_max, effort.contact_hours,
                                           effort.contacts, effort.contacts_min)))
    return effort


@dataclass(frozen=True)
class Planned:
    """The planned contacts and hours of one account in one period, and where they come from."""

    contacts: float
    hours: float
    source: str                # ADOPTED, STRATEGY (the portfolio's) or DEFAULT (the customer group's)
    period: str                # period code, e.g. "2026" or "2026-Q3"
    basis: str = ""            # the scenario's or the strategy's name

    def per_year(self, share_of_year: float) -> float:
        """The contacts as a yearly rate (what consistency measures a window against)."""
        return self.contacts / share_of_year if share_of_year > 0 else 0.0


def planned(*, period: str, adopted: tuple[float, float, str] | None, implied: Effort, implied_source: str,
            implied_basis: str = "") -> Planned:
    """The adopted allocation ``(contacts, hours, scenario name)`` when there is one, else the plan the
    strategy (or the customer group's default) implies."""
    if implied_source not in (STRATEGY, DEFAULT):
        raise ValueError(f"unknown source {implied_source!r}")
    if adopted is not None:
        contacts, hours, name = adopted
        return Planned(float(contacts), float(hours), ADOPTED, period, name)
    return Planned(float(implied.contacts), float(implied.hours), implied_source, period, implied_basis)
