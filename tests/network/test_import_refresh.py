"""Imports write in bulk (no signals): the accounts they touch are analysed again once they are committed."""

import io

import pytest

from kundennetz.network.models import AccountNetwork, Relation

pytestmark = pytest.mark.django_db


class Upload(io.BytesIO):
    def __init__(self, content: bytes, name: str):
        super().__init__(content)
        self.name, self.size = name, len(content)


def test_an_imported_decision_maker_shows_as_uncovered(cast, network, django_capture_on_commit_callbacks):
    from kundennetz.imports import services, tasks

    Relation.objects.create(kind="knows", contact=network.contact, user=cast.owner, strength=1,
                            account=network.account)
    assert AccountNetwork.objects.get(account=network.account).uncovered == 0
    content = ("Nachname;Vorname;Kunde;Rolle im Buying Center\n"
               f"Graf;Petra;{network.account.name};Entscheider\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start(cast.owner, Upload(content, "kontakte.csv"), "contacts")
        services.check(batch, cast.owner)
        batch.refresh_from_db()
        tasks.request_commit(batch, cast.owner)
    batch.refresh_from_db()
    assert batch.status == "committed", (batch.status, batch.error_count)
    stored = AccountNetwork.objects.get(account=network.account)
    assert (stored.decision_makers, stored.uncovered, stored.bus_factor) == (2, 1, 0)
