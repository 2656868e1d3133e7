"""Running an import: every row of a file checked, matched and (when committing) written in bulk.

The file is read in chunks of `CHUNK` rows; each chunk is cleaned (domain rules), its references
(owners, customer groups, stages, accounts) resolved with a handful of queries, its keys matched
against the database with one query, its records validated by the model (`full_clean`, minus the
foreign keys already resolved here) and, when committing, written with `bulk_create_with_history` /
`bulk_update_with_history`, so that history names the importer. Memory stays flat whatever the size
of the file: only the current chunk and a short digest of each key seen (duplicate detection) are held.

The engine never commits on its own: the caller wraps a commit in one transaction and rolls it back
when any row failed (`Result.ok`), so that an error in the last row saves nothing.

Modules: ``mapping`` (which column fills which field), ``outcomes`` (per-row outcomes and the result),
``references`` (users and catalogues looked up per chunk), ``importer`` (the run itself) and
``records`` (writing the import's own records, case folding as the database does it).
"""

from __future__ import annotations

from .mapping import (
    BULK,
    CHUNK,
    Mapping,
    adapt,
    suggest,
)
from .outcomes import (
    Outcome,
    Result,
)
from .references import (
    Catalogue,
    People,
)
from .importer import (
    Importer,
)
from .records import (
    db_lower,
)

__all__ = [
    "BULK",
    "CHUNK",
    "Catalogue",
    "Importer",
    "Mapping",
    "Outcome",
    "People",
    "Result",
    "adapt",
    "db_lower",
    "suggest",
]
