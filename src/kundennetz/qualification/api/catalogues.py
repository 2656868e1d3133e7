"""Question catalogues, read-only: the versions and the exact questions a checklist is answered against.

Everyone signed in reads published and retired versions; drafts are an administrator's work in
progress and exist only for them. Catalogues are edited in the admin site, where a published version
never changes and an edit becomes the next version.
"""

from typing import Optional

from ninja import Router

from kundennetz.core.api_errors import COMMON_ERRORS, RECORD_ERRORS
from kundennetz.core.api_types import Text, choice
from kundennetz.core.permissions import not_found, restrict

from ..models import Catalogue
from .schemas import CatalogueDetailOut, CatalogueOut, catalogue_detail_out, catalogue_out

router = Router(tags=["qualification"])


def _visible(user):
    return restrict(Catalogue.objects.all(), user)


def _current_ids() -> set[int]:
    """The newest published version of each key: what new checklists are opened against."""
    newest: dict[str, int] = {}
    published = Catalogue.objects.filter(status=Catalogue.Status.PUBLISHED).order_by("key", "-version")
    for pk, key in published.values_list("pk", "key"):
        newest.setdefault(key, pk)
    return set(newest.values())


@router.get("/question-catalogues", response={200: list[CatalogueOut], **COMMON_ERRORS},
            summary="List question catalogue versions")
def list_question_catalogues(request, key: Optional[Text] = None, status: Optional[choice(Catalogue.Status)] = None):
    """Each key's versions, newest first."""
    catalogues = _visible(request.auth).order_by("key", "-version")
    if key:
        catalogues = catalogues.filter(key=key)
    if status:
        catalogues = catalogues.filter(status=status)
    current = _current_ids()
    return [catalogue_out(record, current) for record in catalogues]


@router.get("/question-catalogues/{key}/{int:version}", response={200: CatalogueDetailOut, **RECORD_ERRORS},
            summary="Read a question catalogue version")
def read_question_catalogue(request, key: str, version: int):
    """Its categories and questions: type, favourable answer, knock-out, derivation, wording in every language."""
    record = _visible(request.auth).filter(key=key, version=version).first()
    if record is None:
        raise not_found(Catalogue)
    return catalogue_detail_out(record, _current_ids())
