"""The JSON API (django-ninja): one NinjaAPI, each app contributing routers. Docs at /api/docs."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router

from kundennetz.accounts.api import ROUTERS as ACCOUNTS_ROUTERS
from kundennetz.core import api_errors
from kundennetz.core.api_auth import SessionAuth, TokenAuth
from kundennetz.core.security import docs_access

DESCRIPTION = """
The customer network as JSON: accounts, contacts, opportunities and the catalogues they refer to, the
relations between people (`/api/relations`) and the analysis of an account's or opportunity's network.

**Authentication.** Send a personal API token as `Authorization: Bearer kn_…` (create one in your
profile; it is shown once and stored only as a hash), or use the browser session of a logged-in user,
in which case changes need the `X-CSRFToken` header like any form. Without either: `401`.

**Who sees what.** Exactly what the web UI shows you: account managers see and change the accounts
they own or are on the team of, with their contacts and opportunities; sales head and admin see and
change everything; marketing and read-only see everything and change nothing. A record you may not see
answers `404`; one you see but may not change or delete answers `403`; creating without the right to
create answers `403`. A record named in a request body (account, owner, team, segment, stage, reports_to,
contacts, competitors, …) that does not exist or that you may not use makes the request invalid (`422`
at that field): a contact or opportunity is created only on an account you may change, and stays there.
Owners are active account managers: sales head and admin choose them; an account manager's new record
is their own, and an existing record keeps its owner.

**Errors.** Invalid input answers `422` (`400` when the body is not JSON) with
`{"detail": [{"loc": ["body", "closing_reason"], "msg": "…", "type": "…"}]}`, listing every problem
found, in your language. Other refusals answer `{"detail": "…"}`. A refused write saves nothing.

**Values.** Money and percentages are sent as JSON numbers or decimal strings and returned as
decimal strings (`"350000.00"`); dates are ISO (`2026-06-30`), times ISO 8601 with time zone.
Catalogues with a code (segments, stages) are named by code or id, everything else by id. Request
bodies refuse unknown fields, so the read-only fields of an answer (`id`, `created_at`, …) cannot be
sent back. `PUT` replaces (fields not sent take their defaults), `PATCH` changes only what is sent.
Deleting moves a record to the trash (`204`).

**Concurrent changes.** Every record answers its version as `ETag` (and `version` in the body). Send it
back with `PATCH`, `PUT` or `DELETE` as `If-Match: "<version>"`: when someone changed the record since,
the answer is `412` and nothing changes. A `PATCH` changes only the fields it sends, on the record as it is
at that moment, so two clients changing different fields do not undo each other.

**Creating exactly once.** Send `Idempotency-Key: <unique text>` with a `POST`: repeating it (a retry
after a timeout, or two requests at the same moment) within 24 hours gives the first answer again, with
`Idempotent-Replayed: true`, instead of a second record. The same key with a different body answers `422`.

**Lists** take `limit` (1–500, default 50) and `offset` and answer
`{"items": [...], "count": n, "count_capped": false}` in a stable order (`order_by`). Counting stops at
10,000: a longer list answers `"count": 10000, "count_capped": true` ("more than 10,000"). Paging with
`offset` still reaches every record beyond that; the page with fewer than `limit` items is the last.
"""


class KundennetzAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # Short ids ("list_accounts") give generated clients readable method names; view names are unique.
        return operation.view_func.__name__


api = KundennetzAPI(
    title="Kundennetz API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    parser=api_errors.JsonParser(),
    docs_decorator=docs_access,
)
api_errors.install(api)

for prefix, router in ACCOUNTS_ROUTERS:
    api.add_router(prefix, router)
api.add_router("/interactions/", "kundennetz.interactions.api.router")
api.add_router("/portfolio/", "kundennetz.portfolio.api.router")
api.add_router("/planning/", "kundennetz.planning.api.router")
api.add_router("/", "kundennetz.qualification.api.router")
api.add_router("/", "kundennetz.imports.api.router")
api.add_router("/", "kundennetz.winloss.api.router")
api.add_router("/", "kundennetz.network.api.router")


# Mounted after every other router (mount new ones above), so that it only catches what none of them answers.
fallback = Router()


@fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None,
                        include_in_schema=False)
def unknown_path(request, rest: str):
    """Any other address under /api/ answers in JSON too, not with the site's HTML page."""
    raise Http404(_("There is no such address in the API."))


api.add_router("/", fallback)
