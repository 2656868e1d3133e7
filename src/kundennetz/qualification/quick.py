"""`kundennetz qualify --json …` without starting Django: scripts call it per file, so it must start fast.

The console script hands a call here only when its outcome cannot differ from the management command's:
JSON output, options limited to ``--json`` and ``--language``, the project's own settings module. The
language comes from ``--language``, else the locale, else the site's language (``settings.identity``). Everything else goes the usual way through Django.
The rules are the same functions (`cli.run_qualify`); only the start-up is skipped.
"""

from __future__ import annotations

import os
import sys

LOCAL_SETTINGS = "kundennetz.settings.local"


def parse(args: list[str]) -> tuple[list[str], str | None] | None:
    """(files, language) for a call the quick path can answer, else None."""
    files, language, as_json = [], None, False
    items = iter(args)
    for arg in items:
        if arg == "--json":
            as_json = True
        elif arg == "--language" or arg.startswith("--language="):
            value = arg.split("=", 1)[1] if "=" in arg else next(items, None)
            if value not in ("de", "en"):
                return None
            language = value
        elif arg == "-" or not arg.startswith("-"):
            files.append(arg)
        else:  # --help, -v, --settings, --traceback, …: Django's own handling
            return None
    if not as_json or not files:
        return None
    return files, language


def locale_language(environ) -> str | None:
    locale = next((environ[v] for v in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(v)), "")
    if locale and locale.split(".")[0] not in ("C", "POSIX"):
        return "de" if locale.lower().startswith("de") else "en"
    return None


def try_run(args: list[str], environ=os.environ) -> int | None:
    """The exit status if the quick path answered the call, None if Django must."""
    if environ.get("DJANGO_SETTINGS_MODULE", LOCAL_SETTINGS) != LOCAL_SETTINGS:
        return None
    parsed = parse(args)
    if parsed is None:
        return None
    files, language = parsed
    from kundennetz.settings.identity import LANGUAGE_CODE, company_name

    # Neither option nor terminal (a C locale, as in most scripts and containers): the site's language,
    # as the management command would take it from the settings.
    language = language or locale_language(environ) or ("de" if LANGUAGE_CODE.startswith("de") else "en")

    from .cli import run_qualify

    return run_qualify(files, as_json=True, stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr,
                       language=language, company=company_name(environ))
