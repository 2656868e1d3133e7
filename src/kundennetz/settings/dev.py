"""Development: DEBUG on, for people working on Kundennetz itself."""

from .base import *  # noqa: F401,F403

DEBUG = True
