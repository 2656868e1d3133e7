"""Historic deals: opportunities imported with their outcome and the eight headline answers."""

import io

import pytest
from django.core.management import CommandError, call_command

HEADER = "account,title,stage,closed_on,aspiration,solution,competition,only_me,time_scale,money,authority,need\n"
SAMPLE = HEADER + "Historic Client 001 AG,Deal 001,won,2024-01-15,yes,open,no,yes,open,yes,open,yes\n"
KEYS = ("aspiration", "solution", "competition", "only_me", "time_scale", "money", "authority", "need")


@pytest.fixture
def historic_account(cast):
    from kundennetz.accounts.models import Account

    return Account.objects.create(name="Historic Client 001 AG", owner=cast.owner)


def _command(*argv) -> str:
    out = io.StringIO()
    call_command("import", *argv, stdout=out)
    return out.getvalue()


def _answers(opportunity) -> dict:
    return dict(opportunity.checklist.answers.values_list("question_id", "value"))


def test_the_sample_file_imports_literally(cast, historic_account, tmp_path):
    from kundennetz.accounts.models import Opportunity

    path = tmp_path / "history.csv"
    path.write_text(SAMPLE, encoding="utf-8")
    out = _command("--kind", "opportunities", str(path), "--commit", "--as", "admin")
    assert "1 rows: 1 to create" in out and "Imported as batch" in out
    deal = Opportunity.objects.get(title="Deal 001")
    assert deal.account == historic_account and deal.owner == cast.owner  # the account's manager
    assert deal.stage.type == "won" and str(deal.closed_on) == "2024-01-15" and deal.historic
    assert _answers(deal) == {"aspiration": "yes", "solution": "open", "competition": "no", "only_me": "yes",
                              "time_scale": "open", "money": "yes", "authority": "open", "need": "yes"}
    checklist = deal.checklist
    assert checklist.catalogue.key == "ascotsman"
    assert (checklist.recommendation, checklist.unfavourable_count) == ("clarify", 0)
    # History names the importer.
    assert set(deal.checklist.answers.model.history.values_list("history_user", flat=True)) == {cast.admin.pk}
    # The same file again changes nothing.
    assert "1 unchanged" in _command("--kind", "opportunities", str(path), "--commit", "--as", "admin")


def test_german_and_english_headline_texts_and_words(cast, historic_account, run_import):
    from kundennetz.accounts.models import Opportunity

    content = ("Kunde;Titel;Phase;Abgeschlossen am;Sind die Absichten des Kunden bekannt?;"
               "Can our own company offer a solution?;Ist die Konkurrenz stark?;ONLY_ME;Zeitrahmen;money;"
               "authority;Is the customer's need clearly described?\n"
               "Historic Client 001 AG;Verlorener Auftrag;Verloren;03.02.2023;Ja;NEIN;ja;offen;;nein;Offen;ja\n")
    batch, result = run_import(cast.admin, "opportunities", content.encode(), commit=True)
    assert batch.status == "committed", batch.rows.values_list("issues", flat=True)
    deal = Opportunity.objects.get(title="Verlorener Auftrag")
    answers = _answers(deal)
    assert answers == {"aspiration": "yes", "solution": "no", "competition": "yes", "only_me": "open",
                       "money": "no", "authority": "open", "need": "yes"}  # "Zeitrahmen" is no headline
    # Lost without a reason: historic, with the reason "not recorded".
    assert deal.historic and deal.stage.type == "lost"
    assert deal.closing_reason.name_en == "Not recorded" and deal.closing_reason.name_de == "Nicht erfasst"
    assert deal.checklist.unfavourable_count == 3


def test_bad_answers_are_reported_per_row_and_nothing_is_saved(cast, historic_account, tmp_path):
    from kundennetz.accounts.models import Opportunity
    from kundennetz.qualification.models import Answer

    cast.admin.language = "en"
    cast.admin.save()
    path = tmp_path / "history.csv"
    path.write_text(HEADER
                    + "Historic Client 001 AG,Deal 1,won,2024-01-15,yes,yes,no,yes,yes,yes,yes,yes\n"
                    + "Historic Client 001 AG,Deal 2,lost,2024-02-15,maybe,yes,no,yes,yes,yes,yes,yes\n"
                    + "Historic Client 001 AG,Deal 3,lost,2024-03-15,yes,yes,no,yes,yes,yes,1,x\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import", "--kind", "opportunities", str(path), "--commit", "--as", "admin", stdout=out)
    text = out.getvalue()
    assert "ERROR Row 3, aspiration: “maybe” is not a checklist answer (yes, no, open, ja, nein, offen or empty)." \
        in text
    assert "ERROR Row 4, authority: “1” is not a checklist answer" in text
    assert "ERROR Row 4, need: “x” is not a checklist answer" in text
    assert "Row 2" not in text
    assert not Opportunity.objects.exists() and not Answer.objects.exists()


def test_german_message_for_a_bad_answer(cast, historic_account, run_import):
    from kundennetz.imports.messages import describe

    batch, _result = run_import(cast.admin, "opportunities",
                                (HEADER + "Historic Client 001 AG,D,won,2024-01-15,vielleicht,,,,,,,\n").encode())
    issue = batch.rows.get(action="error").issues[0]
    assert (issue["code"], issue["column"]) == ("bad_answer", "aspiration")
    assert describe(issue["code"], issue["params"], "de") == (
        "«vielleicht» ist keine Checklisten-Antwort (yes, no, open, ja, nein, offen oder leer).")


def test_empty_cells_answer_nothing_and_keep_stored_answers(cast, historic_account, run_import):
    from kundennetz.accounts.models import Opportunity

    run_import(cast.admin, "opportunities",
               (HEADER + "Historic Client 001 AG,Deal 9,won,2024-01-15,yes,no,,,,,,\n").encode(), commit=True)
    deal = Opportunity.objects.get(title="Deal 9")
    assert _answers(deal) == {"aspiration": "yes", "solution": "no"}
    batch, _ = run_import(cast.admin, "opportunities",
                          (HEADER + "Historic Client 001 AG,Deal 9,won,2024-01-15,,yes,yes,,,,,\n").encode(),
                          commit=True)
    assert batch.updated_count == 1
    assert _answers(deal) == {"aspiration": "yes", "solution": "yes", "competition": "yes"}
    row = batch.rows.get()
    assert row.changes["answer_solution"] == ["no", "yes"]


def test_open_deals_are_not_historic_and_the_gate_still_holds(cast, historic_account, run_import):
    from kundennetz.accounts.models import Opportunity

    content = (HEADER + "Historic Client 001 AG,Open deal,qualifying,,yes,yes,no,yes,yes,yes,yes,yes\n"
               + "Historic Client 001 AG,Won, no date,won,,yes,yes,no,yes,yes,yes,yes,yes\n")
    # The second row has a comma in its title: quoted properly it imports.
    content = content.replace("Won, no date", '"Won, no date"')
    batch, _ = run_import(cast.admin, "opportunities", content.encode(), commit=True)
    assert batch.status == "committed"
    assert not Opportunity.objects.get(title="Open deal").historic
    assert Opportunity.objects.get(title="Open deal").checklist.recommendation == "offer"
    assert not Opportunity.objects.get(title="Won, no date").historic  # no closing date: not history
    # A live deal cannot jump to "offer submitted" by import without a decision to pursue.
    batch, _ = run_import(cast.admin, "opportunities",
                          (HEADER + "Historic Client 001 AG,Open deal,offer_submitted,,,,,,,,,\n").encode(),
                          commit=True)
    assert batch.status != "committed"


def test_historic_deal_skips_the_pursuit_gate(cast, historic_account):
    from kundennetz.accounts.models import Opportunity, Stage

    gated = Stage.objects.get(code="offer_submitted")
    deal = Opportunity(account=historic_account, title="Old", stage=gated, owner=cast.owner)
    with pytest.raises(Exception, match="decision to pursue"):
        deal.full_clean()
    deal.historic = True
    deal.full_clean()


def test_an_account_manager_imports_history_of_own_accounts_only(cast, historic_account, network, run_import):
    batch, _ = run_import(cast.outsider, "opportunities", SAMPLE.encode(), commit=True)
    assert batch.status != "committed"
    assert batch.rows.get().issues[0]["code"] == "unknown_reference"  # not even visible to them
    batch, _ = run_import(cast.owner, "opportunities", SAMPLE.encode(), commit=True)
    assert batch.status == "committed"


def test_headers_map_to_answer_fields():
    from kundennetz.imports import guessing

    guess = guessing.guess(HEADER.strip().split(","), "opportunities")
    assert [guess.columns[key] for key in KEYS] == [f"answer_{key}" for key in KEYS]
    assert guess.columns["title"] == "title" and guess.columns["closed_on"] == "closed_on"
