"""Kundennetz: tend a B2B service provider's customer network."""

__version__ = "0.1.0"
