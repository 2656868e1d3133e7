"""Interactions, once their app provides the model: imported onto the accounts the user may add to."""

import pytest
from importing_helpers import outcomes


def test_interactions_import_and_reimport(cast, network, run_import):
    from kundennetz.imports.fields import interactions_available

    if not interactions_available():
        pytest.skip("the interactions app has no model yet")
    from kundennetz.interactions.models import Interaction

    content = ("Kunde;Datum;Art;Themen;Dauer;Wir\r\n"
               "Muster Engineering AG;12.03.2026;Besuch;Jahresgespräch;90;owner, team_member\r\n"
               "Muster Engineering AG;2026-03-20;call;Offerte;15;owner\r\n"
               "Fremd Consulting GmbH;20.03.2026;call;x;5;owner\r\n").encode()
    batch, _ = run_import(cast.owner, "interactions", content)
    assert outcomes(batch) == {2: ("create", []), 3: ("create", []), 4: ("error", ["unknown_reference"])}
    batch, _ = run_import(cast.owner, "interactions", content.rsplit(b"Fremd", 1)[0], commit=True)
    assert batch.status == "committed"
    meeting = Interaction.objects.get(topics="Jahresgespräch")
    assert meeting.type == "meeting" and meeting.duration_minutes == 90
    assert set(meeting.our_people.values_list("username", flat=True)) == {"owner", "team_member"}
    again, _ = run_import(cast.owner, "interactions", content.rsplit(b"Fremd", 1)[0], commit=True)
    assert again.unchanged_count == 2
    # The folded search text follows created, updated and undone rows (bulk writes all of them).
    assert meeting.search_text == "jahresgesprach"
    noted = ("Kunde;Datum;Art;Themen;Notiz\r\n"
             "Muster Engineering AG;12.03.2026;Besuch;Jahresgespräch;Grösserer Auftrag möglich\r\n").encode()
    update, _ = run_import(cast.owner, "interactions", noted, commit=True)
    assert update.status == "committed" and update.updated_count == 1
    meeting.refresh_from_db()
    assert meeting.search_text == "jahresgesprach | grosserer auftrag moglich"
    from kundennetz.imports import tasks
    from kundennetz.interactions.filters import search_interactions

    assert list(search_interactions(Interaction.objects.all(), "grosser")) == [meeting]
    tasks.request_undo(update, cast.admin)  # runs at once in tests
    meeting.refresh_from_db()
    assert (meeting.note, meeting.search_text) == ("", "jahresgesprach")
    assert not search_interactions(Interaction.objects.all(), "grosser").exists()
