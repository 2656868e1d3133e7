"""`kundennetz qualify --json` starts without Django and answers exactly as the management command does."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kundennetz.qualification import quick

EXECUTABLE = Path(sys.executable).with_name("kundennetz")
GOOD = {"answers": {"need": "ja", "competition": "no", "money": "offen"}, "threshold": 1}


@pytest.mark.parametrize(("args", "expected"), [
    (["--json", "a.json"], (["a.json"], None)),
    (["a.json", "--json", "-", "--language", "de"], (["a.json", "-"], "de")),
    (["--json", "--language=en", "b"], (["b"], "en")),
    (["a.json"], None),                       # the readable summary goes through Django
    (["--json"], None),                       # no file: Django's own error
    (["--json", "--help"], None),
    (["--json", "-v", "2", "a.json"], None),
    (["--json", "--language", "fr", "a.json"], None),
    (["--json", "--language"], None),
])
def test_which_calls_take_the_quick_path(args, expected):
    assert quick.parse(args) == expected


def test_quick_path_needs_our_settings():
    assert quick.locale_language({"LANG": "de_CH.UTF-8"}) == "de"
    assert quick.locale_language({"LC_ALL": "C"}) is None
    assert quick.try_run(["--json", "x.json"], environ={"LANG": "en_US", "DJANGO_SETTINGS_MODULE": "other"}) is None


def _run(args, tmp_path, env_extra, stdin=""):
    env = {**os.environ, "KUNDENNETZ_HOME": str(tmp_path), "LC_ALL": "", **env_extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([str(EXECUTABLE), "qualify", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("lang", ["en_US.UTF-8", "de_CH.UTF-8", "C.UTF-8", ""])
def test_quick_and_full_paths_answer_alike(tmp_path, lang):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD))
    bad = tmp_path / "bad.json"
    bad.write_text('{"answers": {"need": "vielleicht"}}')
    quick_answer = _run(["--json", str(good), str(bad), "-"], tmp_path, {"LANG": lang}, stdin=json.dumps(GOOD))
    # -v 1 is an option only Django handles: the same call through the management command.
    full_answer = _run(["--json", "-v", "1", str(good), str(bad), "-"], tmp_path, {"LANG": lang},
                       stdin=json.dumps(GOOD))
    assert quick_answer == full_answer
    assert quick_answer[0] == 2 and len(quick_answer[1].splitlines()) == 2


def test_quick_path_loads_neither_django_apps_nor_numpy(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD))
    code = ("import sys; from kundennetz.__main__ import main; main(['qualify', '--json', sys.argv[1]]); "
            "print(sorted(m for m in ('numpy', 'scipy', 'django.apps.registry', 'django.db') if m in sys.modules))")
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": ""}  # no language named: the site's
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-c", code, str(good)], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
    assert json.loads(done.stdout.splitlines()[0])["recommendation"] == "clarify"
