"""One person on a laptop: served on the loopback interface over plain HTTP, DEBUG off."""

from .base import *  # noqa: F401,F403
