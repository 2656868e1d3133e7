"""Amounts in different currencies brought to the base currency (CHF), so that they sort and add up.

The rates come from the tunable ``ExchangeRates`` (francs per unit of each currency); an account keeps
its amounts in its own currency and a stored copy in francs (``Account.revenue_base``) for sorting.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping

BASE = "CHF"
CENT = Decimal("0.01")


def rate(currency: str | None, rates: Mapping[str, float]) -> Decimal:
    """Francs per unit of ``currency``; the base currency (and a blank one) is 1."""
    code = (currency or BASE).upper()
    if code == BASE:
        return Decimal(1)
    if code not in rates:
        raise ValueError(f"no exchange rate for {code}")
    return Decimal(str(rates[code]))


def to_base(amount, currency: str | None, rates: Mapping[str, float]) -> Decimal | None:
    """``amount`` in ``currency`` as francs, to the cent; None stays None."""
    if amount is None:
        return None
    return (Decimal(str(amount)) * rate(currency, rates)).quantize(CENT, rounding=ROUND_HALF_UP)
