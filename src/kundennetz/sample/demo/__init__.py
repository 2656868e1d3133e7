"""The demo network: the customers of a Swiss engineering and IT consultancy, loaded by `kundennetz demo`.

What it holds: seven users covering the five roles (three account managers, one per sales region), about
60 accounts in the four customer groups across German-, French- and Italian-speaking Switzerland plus a
few in Germany and Austria, 200 contacts with a reporting hierarchy per account, 12 competitors and
80 opportunities in every stage of the pipeline.

Deterministic: one `random.Random(SEED)` makes every choice in a fixed order, so two loads give the same
names, figures and relations. Dates are offsets from a reference day, today unless one is given, so the
pipeline always looks current (decisions due next month, deals closed last quarter); with the same
reference day two loads are identical.

The demo passwords are fixed in code (``users``), never stored in plain text: `demo_logins()` shows a
login only while that user still exists and the password still checks.

Other apps extend the demo without touching this package: a module `<app>.demo` with a function
`extend_demo(context: DemoContext)` is called after the base network is saved, in INSTALLED_APPS order (or
at the module's `DEMO_STEP`), inside the same transaction (a failure there leaves nothing behind), and
every stored figure that is out of date afterwards is computed again. It should draw its randomness from
`context.random("<app>")` so that adding an extension never changes the base data, save through
`core.services.save_record(obj, context.admin)` or `bulk_create_with_history(..., default_user=context.admin)`
so that the history names the admin, record what it made with `context.count(...)`, and, when
`context.force` is set, remove its own earlier demo data that does not hang off accounts (records that do
are already gone).

Modules: ``users`` (the demo logins), ``catalogue`` (the tuning, and places, accounts, people,
competitors and services read from the files in ``data/``), ``loading`` (refusing, clearing, loading,
the context extensions get) and ``builder`` (making the records).
"""

from __future__ import annotations

from .loading import SEED, DatabaseState, DemoContext, DemoResult, database_state, load_demo
from .users import DEMO_USERS, DemoLogin, DemoRefused, DemoUser, demo_logins, format_logins

__all__ = [
    "DEMO_USERS",
    "SEED",
    "DatabaseState",
    "DemoContext",
    "DemoLogin",
    "DemoRefused",
    "DemoResult",
    "DemoUser",
    "database_state",
    "demo_logins",
    "format_logins",
    "load_demo",
]
