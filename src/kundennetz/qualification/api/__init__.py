"""The JSON API of qualification: checklists with their evaluation and answers, the history of answers,
pursuit decisions, the question catalogues, and the pipeline by recommendation and open points.

Same rules as everywhere in the API: an opportunity you may not see is not found (404); answering needs
the right to change it and deciding the right to decide (403); a refused value is a 422 at the question
id or field it concerns, and a refused write saves nothing.
"""

from ninja import Router

from . import catalogues, checklists, decisions, pipeline

router = Router()
for part in (checklists, decisions, pipeline, catalogues):
    router.add_router("", part.router)
