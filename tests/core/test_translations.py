"""The German catalogue: compiled, complete, Swiss spelling, and the key UI terms actually render in German."""

import ast
import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

import kundennetz

LC_MESSAGES = Path(kundennetz.__file__).resolve().parent / "locale" / "de" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
# Every part of the project that has user-facing strings must feed this one catalogue.
SOURCES = ("core", "accounts", "qualification", "portfolio", "interactions", "planning", "imports", "templates")


def read_po(path: Path) -> list[dict]:
    """A small .po reader: one dict per entry with msgctxt, msgid, msgid_plural, msgstr (a list), flags, refs."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):  # obsolete
            continue
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "refs": [], "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry["refs"].extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += value
            else:
                entry[field] += value
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                field = ("msgstr", index)
                entry["msgstr"][index] = value
            else:
                field = keyword
                entry[field] = value
    finish()
    return entries


@pytest.fixture(scope="module")
def entries():
    assert PO.is_file(), f"missing German catalogue {PO}"
    found = read_po(PO)
    assert found and found[0]["msgid"] == "", "the catalogue must start with its header"
    return found[1:]


def test_the_catalogue_is_complete_and_not_fuzzy(entries):
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    plurals = [e for e in entries if "msgid_plural" in e]
    assert plurals and all(sorted(e["msgstr"]) == [0, 1] for e in plurals)


def test_every_part_of_the_project_feeds_the_catalogue(entries):
    # An app with its own locale/ directory silently takes its strings out of this catalogue when
    # messages are collected without ignoring such directories.
    seen = {ref.split("/", 1)[0] for e in entries for ref in e["refs"]}
    assert not set(SOURCES) - seen, f"no strings from {sorted(set(SOURCES) - seen)}"


def test_swiss_orthography(entries):
    sharp = [text for e in entries for text in e["msgstr"].values() if "ß" in text]
    assert not sharp, f"use 'ss' in Swiss German: {sharp[:5]}"


def test_the_compiled_catalogue_matches_the_source(entries):
    assert MO.is_file(), "compile the catalogue: kundennetz compilemessages -l de --ignore '*/locale'"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for e in entries:
        msgid = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            assert compiled.ngettext(msgid, e["msgid_plural"], 1) == e["msgstr"][0], "the .mo is out of date"
            assert compiled.ngettext(msgid, e["msgid_plural"], 5) == e["msgstr"][1], "the .mo is out of date"
        else:
            assert compiled.gettext(msgid) == e["msgstr"][0], f"the .mo is out of date for {e['msgid']!r}"


def _gettext_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        pytest.skip(f"GNU gettext tools are not installed ({name} not found); the pure-Python checks still ran")
    return tool


def test_gettext_finds_nothing_untranslated_or_fuzzy():
    msgattrib = _gettext_tool("msgattrib")
    for option in ("--untranslated", "--only-fuzzy"):
        out = subprocess.run([msgattrib, option, "--no-obsolete", str(PO)], capture_output=True, text=True,
                             check=True).stdout
        # Only the header may remain (msgattrib keeps it).
        assert out.count('\nmsgid "') + out.startswith('msgid "') <= 1, f"{option}:\n{out[:2000]}"


def test_placeholders_survive_translation():
    msgfmt = _gettext_tool("msgfmt")
    result = subprocess.run([msgfmt, "--check-format", "--check-header", "-o", "/dev/null", str(PO)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_key_terms_render_in_german():
    from django.utils import translation
    from django.utils.translation import gettext as _

    from kundennetz.core.roles import Role
    from kundennetz.qualification.models import Recommendation

    with translation.override("de-ch"):
        assert _("Accounts") == "Kunden"
        assert _("Opportunities") == "Verkaufschancen"
        # Our catalogue wins over Django's own wording and over app catalogues.
        assert _("Save") == "Speichern"
        assert _("History") == "Verlauf"
        assert _("Account manager") == "Kundenberater"
        assert str(Recommendation.OFFER.label) == "Angebot machen"
        assert str(Recommendation.CLARIFY.label) == "Situative Klärung mit dem Kunden"
        assert str(Recommendation.NO_OFFER.label) == "Kein Angebot"
        assert [str(role.label) for role in Role] == [
            "Administrator", "Verkaufsleitung", "Kundenberater", "Marketing", "Nur Lesen"]
    with translation.override("en"):
        assert str(Recommendation.NO_OFFER.label) == "No offer"
