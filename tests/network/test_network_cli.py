"""`kundennetz network`: the command-line contract, driven in-process and once as a real subprocess."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kundennetz.network import cli

EXAMPLE = {
    "our_people": ["anna", "ben"],
    "contacts": [{"id": "c1", "role": "decision_maker"}, {"id": "c2", "role": "coach"}],
    "relations": [{"a": "anna", "b": "c2", "kind": "knows", "strength": 0.8},
                  {"a": "c2", "b": "c1", "kind": "reports_to"}],
    "opportunity_contacts": ["c1", "c2"],
    "min_strength": 0.5,
}
KEYS = ["file", "decision_makers", "covered", "uncovered", "bus_factor", "routes", "weak_points"]


def run(paths, *, as_json=True, stdin="", language="en"):
    out, err = io.StringIO(), io.StringIO()
    status = cli.run_network(paths, as_json=as_json, stdin=io.StringIO(stdin), stdout=out, stderr=err,
                             language=language)
    return status, out.getvalue(), err.getvalue()


def results(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.fixture
def write(tmp_path):
    def write(name, content):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
        return str(path)

    return write


def with_(**changes):
    data = json.loads(json.dumps(EXAMPLE))
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


def test_the_example_gives_exactly_the_documented_keys_and_values(write):
    status, out, err = run([write("example.json", EXAMPLE)])
    assert (status, err) == (0, "")
    (line,) = out.splitlines()
    result = json.loads(line)
    assert list(result) == [*KEYS, "threads", "single_threaded"]
    assert result == {"file": result["file"], "decision_makers": ["c1"], "covered": [], "uncovered": ["c1"],
                      "bus_factor": 0, "routes": {"c1": 1}, "weak_points": ["anna", "c2"], "threads": 1,
                      "single_threaded": True}


def test_without_an_opportunity_there_are_no_threads_and_min_strength_defaults_to_a_half(write):
    data = with_(opportunity_contacts=None, min_strength=None)
    data["relations"].append({"a": "c1", "b": "ben", "kind": "knows", "strength": 0.5})
    (result,) = results(run([write("a.json", data)])[1])
    assert list(result) == KEYS
    assert (result["covered"], result["uncovered"], result["bus_factor"], result["routes"]) == (["c1"], [], 1, {"c1": 2})
    assert result["weak_points"] == []
    data["min_strength"] = 0.51
    (result,) = results(run([write("b.json", data)])[1])
    assert (result["covered"], result["bus_factor"], result["routes"]) == ([], 0, {"c1": 1})


def test_no_decision_maker_gives_a_null_bus_factor(write):
    data = {"our_people": [], "contacts": [{"id": "x", "role": "user"}], "relations": []}
    (result,) = results(run([write("a.json", data)])[1])
    assert result["bus_factor"] is None and result["routes"] == {} and result["decision_makers"] == []


def test_the_strongest_of_parallel_relations_counts_and_order_of_a_and_b_does_not_matter(write):
    data = with_(relations=[{"a": "c1", "b": "anna", "kind": "knows", "strength": 0.9},
                            {"a": "anna", "b": "c1", "kind": "knows", "strength": 0.1}])
    (result,) = results(run([write("a.json", data)])[1])
    assert (result["covered"], result["threads"], result["single_threaded"]) == (["c1"], 1, True)


def test_several_files_one_line_each_in_order_and_a_dash_reads_standard_input(write):
    first = write("first.json", EXAMPLE)
    second = write("second.json", with_(opportunity_contacts=[]))
    status, out, err = run([second, "-", first], stdin=json.dumps(EXAMPLE))
    assert (status, err) == (0, "")
    lines = results(out)
    assert [line["file"] for line in lines] == [second, "-", first]
    assert (lines[0]["threads"], lines[0]["single_threaded"]) == (0, True)


BAD = [
    ("not JSON", "{", "not valid JSON: Expecting property name enclosed in double quotes (line 1, column 2)"),
    ("not an object", [1], "expected a JSON object, not array"),
    ("missing our_people", with_(our_people=None), 'missing key "our_people"'),
    ("missing contacts", with_(contacts=None), 'missing key "contacts"'),
    ("missing relations", with_(relations=None), 'missing key "relations"'),
    ("unknown key", with_(people=[]), 'unknown key "people" (allowed: our_people, contacts, relations, '
                                      'opportunity_contacts, min_strength)'),
    ("contacts not a list", with_(contacts={}), "contacts: expected a list, not object"),
    ("contact missing id", with_(contacts=[{"role": "coach"}]), 'contacts[0]: missing key "id"'),
    ("contact missing role", with_(contacts=[{"id": "c1"}]), 'contacts[0]: missing key "role"'),
    ("unknown role", with_(contacts=[{"id": "c1", "role": "boss"}, {"id": "c2", "role": "coach"}]),
     'contacts[0].role: unknown role "boss" (expected one of: decision_maker, influencer, technical_evaluator, '
     'user, gatekeeper, coach)'),
    ("null role", with_(contacts=[{"id": "c1", "role": None}]), "contacts[0].role: unknown role null (expected one of: decision_maker, influencer, "
     "technical_evaluator, user, gatekeeper, coach)"),
    ("unknown kind", with_(relations=[{"a": "anna", "b": "c1", "kind": "likes", "strength": 1}]),
     'relations[0].kind: unknown kind "likes" (expected one of: knows, reports_to, influences)'),
    ("relation missing kind", with_(relations=[{"a": "anna", "b": "c1"}]), 'relations[0]: missing key "kind"'),
    ("relation missing b", with_(relations=[{"a": "anna", "kind": "knows", "strength": 1}]),
     'relations[0]: missing key "b"'),
    ("undeclared id", with_(relations=[{"a": "anna", "b": "c9", "kind": "knows", "strength": 1}]),
     'relations[0].b: id "c9" is not declared'),
    ("undeclared opportunity contact", with_(opportunity_contacts=["c7"]),
     'opportunity_contacts[0]: id "c7" is not declared'),
    ("id twice among ours", with_(our_people=["anna", "anna"]), 'our_people[1]: id "anna" is used twice'),
    ("id twice among contacts", with_(contacts=[{"id": "c1", "role": "coach"}, {"id": "c1", "role": "user"}]),
     'contacts[1]: id "c1" is used twice'),
    ("ours and theirs", with_(contacts=[{"id": "anna", "role": "coach"}]),
     'contacts[0]: id "anna" is both one of our people and a contact'),
    ("knows between contacts", with_(relations=[{"a": "c1", "b": "c2", "kind": "knows", "strength": 1}]),
     "relations[0]: knows must join one of our people and a contact"),
    ("knows between ours", with_(relations=[{"a": "anna", "b": "ben", "kind": "knows", "strength": 1}]),
     "relations[0]: knows must join one of our people and a contact"),
    ("knows without strength", with_(relations=[{"a": "anna", "b": "c1", "kind": "knows"}]),
     "relations[0]: knows needs a strength from 0 to 1"),
    ("reports_to touching ours", with_(relations=[{"a": "c1", "b": "anna", "kind": "reports_to"}]),
     "relations[0]: reports_to must join two contacts, not one of our people"),
    ("influences touching ours", with_(relations=[{"a": "ben", "b": "c1", "kind": "influences"}]),
     "relations[0]: influences must join two contacts, not one of our people"),
    ("reports_to oneself", with_(relations=[{"a": "c1", "b": "c1", "kind": "reports_to"}]),
     "relations[0]: reports_to must join two different contacts"),
    ("strength above 1", with_(relations=[{"a": "anna", "b": "c1", "kind": "knows", "strength": 1.2}]),
     "relations[0]: strength must be a number from 0 to 1, not 1.2"),
    ("strength below 0", with_(relations=[{"a": "anna", "b": "c1", "kind": "knows", "strength": -0.1}]),
     "relations[0]: strength must be a number from 0 to 1, not -0.1"),
    ("strength as text", with_(relations=[{"a": "anna", "b": "c1", "kind": "knows", "strength": "0.5"}]),
     'relations[0]: strength must be a number from 0 to 1, not "0.5"'),
    ("min_strength outside", with_(min_strength=2), "min_strength must be a number from 0 to 1, not 2"),
    ("id not a text", with_(our_people=[1.5]), "our_people[0]: an id must be a non-empty text or a whole number, "
                                               "not 1.5"),
    ("empty id", with_(our_people=[""]), 'our_people[0]: an id must be a non-empty text or a whole number, not ""'),
    ("id true", with_(our_people=[True]), "our_people[0]: an id must be a non-empty text or a whole number, not true"),
    ("ours in opportunity", with_(opportunity_contacts=["anna"]),
     'opportunity_contacts[0]: id "anna" is one of our people, not a contact'),
    ("NaN", '{"our_people": [], "contacts": [], "relations": [], "min_strength": NaN}',
     "not valid JSON: NaN is not allowed"),
    ("duplicate key", '{"our_people": [], "our_people": [], "contacts": [], "relations": []}',
     'duplicate key "our_people"'),
]


@pytest.mark.parametrize("name, content, message", BAD, ids=[case[0] for case in BAD])
def test_each_bad_input_is_one_line_on_stderr_naming_the_file_and_the_others_still_run(name, content, message,
                                                                                        write):
    good = write("good.json", EXAMPLE)
    bad = write("bad.json", content)
    status, out, err = run([good, bad, good])
    assert status == 2
    assert err == f"{bad}: {message}\n"
    assert [line["file"] for line in results(out)] == [good, good]


def test_an_unreadable_or_missing_file_is_reported_like_a_bad_one(tmp_path, write):
    missing = str(tmp_path / "missing.json")
    latin = write("latin.json", "{\"our_people\": [\"Zürich\"]}".encode("latin-1"))
    status, out, err = run([missing, latin])
    assert (status, out) == (2, "")
    assert err.splitlines() == [f"{missing}: cannot read the file: No such file or directory",
                                f"{latin}: the file is not UTF-8 text"]


def test_several_bad_files_give_one_line_each_and_a_newline_in_a_value_stays_on_one_line(write):
    bad = write("bad.json", with_(our_people=["an\nna", "an\nna"]))
    status, _, err = run([bad, bad])
    assert status == 2 and len(err.splitlines()) == 2
    assert err.splitlines()[0] == f'{bad}: our_people[1]: id "an\\nna" is used twice'


def test_errors_in_german(write):
    bad = write("bad.json", with_(relations=[{"a": "c1", "b": "c2", "kind": "knows", "strength": 1}]))
    _, _, err = run([bad], language="de")
    assert err == f"{bad}: relations[0]: knows muss eine unserer Personen mit einem Kontakt verbinden\n"
    _, _, err = run([write("x.json", "[]")], language="de")
    assert err.endswith(": JSON-Objekt erwartet, nicht array\n")


def test_every_message_has_a_german_text_without_sharp_s():
    for message in [*cli.RULES.values(), *cli.SUMMARY_TEXTS]:
        german = cli.translate(message, "de")
        assert german != message and "ß" not in german


def test_the_readable_summary_in_english_and_german(write):
    path = write("example.json", EXAMPLE)
    status, out, err = run([path, path], as_json=False)
    assert (status, err) == (0, "")
    assert out.split("\n\n")[0].splitlines() == [
        f"{path}:",
        "  Decision makers: 1",
        "    covered: none",
        "    uncovered: c1",
        "  Bus factor: 0",
        "  Independent routes to each decision maker: c1 1",
        "  Weak points: anna, c2",
        "  Threads of the opportunity: 1 (single-threaded)",
    ]
    _, out, _ = run([path], as_json=False, language="de")
    assert "  Busfaktor: 0" in out.splitlines() and "  Schwachstellen: anna, c2" in out.splitlines()
    _, out, _ = run([write("none.json", {"our_people": [], "contacts": [], "relations": []})], as_json=False)
    assert "  Bus factor: none (no decision maker)" in out.splitlines()


def test_the_installed_command(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(EXAMPLE), "utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(with_(min_strength=-1)), "utf-8")
    script = Path(sys.executable).with_name("kundennetz")
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "en_US.UTF-8"}
    process = subprocess.run([str(script), "network", "--json", str(good), "-", str(bad)], input=json.dumps(EXAMPLE),
                             capture_output=True, text=True, env=env, timeout=60)
    assert process.returncode == 2
    assert [json.loads(line)["file"] for line in process.stdout.splitlines()] == [str(good), "-"]
    assert process.stderr == f"{bad}: min_strength must be a number from 0 to 1, not -1\n"


def test_ids_may_be_whole_numbers_and_sort_as_numbers(write):
    data = {"our_people": [100, "ben"],
            "contacts": [{"id": 10, "role": "decision_maker"}, {"id": 9, "role": "decision_maker"},
                         {"id": "10", "role": "coach"}],
            "relations": [{"a": 100, "b": 10, "kind": "knows", "strength": 1},
                          {"a": "ben", "b": "10", "kind": "knows", "strength": 1},
                          {"a": "10", "b": 9, "kind": "influences"}]}
    status, out, err = run([write("ints.json", data)])
    assert (status, err) == (0, "")
    (result,) = results(out)
    assert result["decision_makers"] == [9, 10] and result["covered"] == [10] and result["uncovered"] == [9]
    assert result["routes"] == {"9": 1, "10": 1} and result["weak_points"] == [100, "10", "ben"]
    _, out, _ = run([write("ints.json", data)], as_json=False)
    assert "    uncovered: 9" in out.splitlines()
