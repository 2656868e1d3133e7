"""Who we are, read from the environment: shared by the settings and by commands that start without them."""

import os
from collections.abc import Mapping

DEFAULT_COMPANY_NAME = "Kundennetz AG"
# The language of pages and commands when neither the user nor the terminal names one (Swiss German).
LANGUAGE_CODE = "de-ch"


def company_name(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get("KUNDENNETZ_COMPANY_NAME", DEFAULT_COMPANY_NAME)
