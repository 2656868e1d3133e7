"""`kundennetz qualify` works out what belongs to the catalogue and the language once per run, not per file.

Counted, not timed: reading and checking the catalogue, its keys and detail questions, the tables that turn
an answer into its state, the JSON decoder, the wording of the points to clarify (each question's text
at most once per language, however many files leave it open) and, for the readable summary, the look-ups
in the translation catalogue.
"""

import io
import json
import random

import pytest

from kundennetz.domain import qualification as q
from kundennetz.qualification import cli, quick

FILES = 60
WORDS = ("ja", "nein", "offen", "yes", "no", "open", "Ja", "NEIN")


@pytest.fixture
def files(tmp_path):
    catalogue = cli.default_catalogue()
    rnd = random.Random(20261204)
    paths = []
    for i in range(FILES):
        answers = {key: rnd.choice(WORDS) for key in catalogue.keys if rnd.random() < 0.8}
        details = {d.id: rnd.choice(WORDS) for d in catalogue.details_by_id.values()
                   if d.type == q.YES_NO and rnd.random() < 0.5}
        path = tmp_path / f"{i}.json"
        path.write_text(json.dumps({"answers": answers, "details": details, "threshold": rnd.randint(0, 8)}))
        paths.append(str(path))
    return paths


@pytest.fixture
def counted(monkeypatch):
    """Counts of the per-catalogue work, on a catalogue read afresh for the test."""
    counts = dict.fromkeys(("catalogue", "plan", "state_table", "keys", "details_by_id", "localise", "decoder"), 0)

    def counting(name, function):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(q.Catalogue, "from_dict", classmethod(counting("catalogue", q.Catalogue.from_dict.__func__)))
    monkeypatch.setattr(q._Plan, "__init__", counting("plan", q._Plan.__init__))
    monkeypatch.setattr(q, "_state_table", counting("state_table", q._state_table))
    monkeypatch.setattr(q, "localise", counting("localise", q.localise))
    for name in ("keys", "details_by_id"):
        prop = vars(q.Catalogue)[name]
        monkeypatch.setattr(prop, "func", counting(name, prop.func))
    monkeypatch.setattr(cli.json.JSONDecoder, "__init__", counting("decoder", cli.json.JSONDecoder.__init__))
    cli.default_catalogue.cache_clear()
    yield counts
    cli.default_catalogue.cache_clear()


def test_the_quick_path_reads_and_prepares_the_catalogue_once_for_all_files(files, counted, capsys):
    status = quick.try_run(["--json", *files], environ={"LANG": "de_CH.UTF-8"})
    out = capsys.readouterr().out.splitlines()
    assert status == 0 and len(out) == FILES

    catalogue = cli.default_catalogue()
    questions = len(tuple(catalogue.questions()))
    assert counted["catalogue"] == 1
    assert counted["plan"] == 1
    assert counted["state_table"] == questions  # one table per question, not per question and file
    assert counted["keys"] == 1 and counted["details_by_id"] == 1
    assert counted["decoder"] == 0  # the one decoder built when the module was loaded
    # Every question was left open by some file, and each was worded once: not once per file.
    left_open = {point for line in out for point in json.loads(line)["clarify"]}
    assert len(left_open) == questions
    assert counted["localise"] == questions

    # A second run in the same process (as the web app evaluates checklist after checklist) adds nothing.
    assert quick.try_run(["--json", *files], environ={"LANG": "de_CH.UTF-8"}) == 0
    assert capsys.readouterr().out.splitlines() == out
    assert (counted["catalogue"], counted["plan"], counted["localise"]) == (1, 1, questions)


def test_each_language_and_company_is_worded_once_and_kept_apart(counted):
    catalogue = cli.default_catalogue()
    nothing_answered = {}
    questions = len(tuple(catalogue.questions()))
    for _ in range(3):
        german = q.evaluate(catalogue, nothing_answered, language="de", company="Muster AG")
        english = q.evaluate(catalogue, nothing_answered, language="en", company="Muster AG")
        other = q.evaluate(catalogue, nothing_answered, language="en", company="Andere GmbH")
    assert counted["plan"] == 1 and counted["localise"] == 3 * questions
    money = catalogue.question("money.within_budget")
    point = {p.question_id: p for p in german.clarify}["money.within_budget"]
    assert point.text == money.localised("de", "Muster AG") != money.localised("en", "Muster AG")
    assert [p.text for p in english.clarify] == [catalogue.question(p.question_id).localised("en", "Muster AG")
                                                 for p in english.clarify]
    assert [p.text for p in other.clarify] == [catalogue.question(p.question_id).localised("en", "Andere GmbH")
                                               for p in other.clarify]


def test_the_readable_summary_reads_the_translation_catalogue_once_per_language(files, monkeypatch, tmp_path):
    opened = []
    translation = cli.gettext.translation
    def counted(domain, localedir=None, languages=None, **kwargs):
        if localedir == cli.LOCALE_DIR:  # not Django's own readings of its catalogues
            opened.append(languages)
        return translation(domain, localedir, languages, **kwargs)

    monkeypatch.setattr(cli.gettext, "translation", counted)
    cli._catalogue.cache_clear()
    bad = tmp_path / "bad.json"
    bad.write_text('{"answers": {"need": "vielleicht"}}')
    for _run in range(2):
        out, err = io.StringIO(), io.StringIO()
        status = cli.run_qualify([*files, str(bad), str(bad)], as_json=False, stdin=io.StringIO(), stdout=out,
                                 stderr=err, language="de", company="Muster AG")
        assert status == 2 and out.getvalue().count("Offen: ") == FILES and len(err.getvalue().splitlines()) == 2
    # Sixty summaries and four refusals, twice: the German catalogue is read once.
    assert opened == [["de"]]
