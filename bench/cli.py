"""Benchmark: how fast ``kundennetz qualify --json`` answers, for one file and for 1,000 files at once.

Scripts call the command per checklist file or hand it a whole folder, so its wall time is what counts:
start-up plus the work per file. Each figure is the wall time of a fresh process started with
``subprocess`` (standard output to /dev/null), repeated (median and p95 of ``--repeat`` runs, and the
median CPU time, user + system, which a loaded machine stretches less); the variants take turns in every
round, so a change in the machine's load falls on all of them alike.

- **bare parse** (the named baseline): ``python -c "import json,sys; [json.load(open(f)) for f in
  sys.argv[1:]]"`` on the same 1 and 1,000 files: the least any Python program can take to start and read them;
- **Django setup** (for reference): ``python -c "import django; django.setup()"`` with our settings, what
  the management command would pay before its first file;
- **qualify**: ``kundennetz qualify --json`` on 1 file and on 1,000 files,

each under ``LANG=de_CH.UTF-8`` and ``LANG=C.UTF-8`` (``LC_ALL`` and ``LC_MESSAGES`` unset, no
``DJANGO_SETTINGS_MODULE``: the quick path as scripts meet it), in the environment the script runs in. For
information, ``qualify`` also runs with its byte code cached in a folder of the run's own
(``PYTHONPYCACHEPREFIX``): where ``PYTHONDONTWRITEBYTECODE`` is set, every start compiles our modules
again. The files are generated into a temporary folder from the catalogue's own questions (seed fixed):
headline answers as ja/nein/offen and yes/no/open in any case, some left out, detail answers of every
type, thresholds 0–8 or none.

Goals, per locale, judged on the medians: one file ≤ 0.15 s; 1,000 files ≤ 2 × bare parse of the 1,000
files + start-up, where start-up is what ``qualify`` on one file takes beyond the bare parse of it. A full
run exits with status 1 when a goal is missed; every run exits with status 1 when the command fails or
its answers differ between the locales. The last line of output is one JSON object with all figures.

    .venv/bin/python bench/cli.py --quick      # 7 rounds, Django's setup in 2 of them (about 20 s)
    .venv/bin/python bench/cli.py              # 31 rounds, Django's setup in 5 (about a minute)
    .venv/bin/python bench/cli.py --quick --kundennetz /path/to/other/.venv/bin/kundennetz   # another checkout
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "src" / "kundennetz" / "qualification" / "catalogues" / "ascotsman-v1.json"
SEED = 20261204
FILES = 1_000
ONE_FILE_GOAL_S = 0.15
LOCALES = ("de_CH.UTF-8", "C.UTF-8")
BARE_PARSE = "import json,sys; [json.load(open(f)) for f in sys.argv[1:]]"
DJANGO_SETUP = "import django; django.setup()"

WORDS = ("ja", "nein", "offen", "yes", "no", "open", "Ja", "NEIN", "Offen", "YES")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def _detail_value(question: dict, rnd: random.Random):
    kind = question["type"]
    if kind == "yes_no":
        return rnd.choice(WORDS)
    if kind in ("contacts", "competitors"):
        names = ["Anna Keller", "Beat Meier", "Claudia Frei", "Daniel Huber", "Eva Brunner"]
        return rnd.choice([rnd.choice(names), rnd.sample(names, rnd.randint(1, 3)), []])
    if kind == "user":
        return rnd.choice(["mmuster", "akeller", None])
    if kind == "amount":
        return rnd.choice([0, 12_500, 90_000.5, 250_000, 1_200_000, None])
    return rnd.choice(["", "Verhandelt hart über den Preis.", "Bisheriger Lieferant seit 2019."])


def generate(folder: Path, count: int, seed: int = SEED) -> list[str]:
    """``count`` checklist files in the format of ``kundennetz qualify``, from the catalogue's questions."""
    catalogue = json.loads(CATALOGUE.read_text("utf-8"))
    rnd = random.Random(seed)
    paths = []
    for i in range(count):
        # Mixes from nearly all favourable to mostly open: the outcomes cover offer, clarify and no offer.
        open_share, unfavourable_share = rnd.choice([(0.0, 0.1), (0.1, 0.2), (0.3, 0.3), (0.05, 0.5)])
        answers, details = {}, {}
        for category in catalogue["categories"]:
            headline = category["headline"]
            draw = rnd.random()
            if draw < 0.08:
                pass  # left out: counts as open
            elif draw < 0.08 + open_share:
                answers[category["key"]] = rnd.choice(["offen", "open", "Offen"])
            else:
                good = rnd.random() >= unfavourable_share
                value = headline["favourable"] if good else ("no" if headline["favourable"] == "yes" else "yes")
                answers[category["key"]] = rnd.choice([value, {"yes": "ja", "no": "nein"}[value], value.upper()])
            for detail in category.get("details", []):
                if rnd.random() < 0.6:
                    details[detail["id"]] = _detail_value(detail, rnd)
        content = {"answers": answers}
        if details:
            content["details"] = details
        if rnd.random() < 0.7:
            content["threshold"] = rnd.randint(0, 8)
        path = folder / f"checklist-{i:04d}.json"
        path.write_text(json.dumps(content, ensure_ascii=False, indent=rnd.choice([None, 2])), "utf-8")
        paths.append(str(path))
    return paths


def _env(locale: str, home: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LC_ALL", "LC_MESSAGES", "DJANGO_SETTINGS_MODULE", "PYTHONPROFILEIMPORTTIME")}
    env.update(LANG=locale, KUNDENNETZ_HOME=home)
    return env


def _run(command: list[str], env: dict) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{' '.join(command[:4])} … failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}")
    return elapsed, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _answers(kundennetz: str, paths: list[str], env: dict) -> list[str]:
    done = subprocess.run([kundennetz, "qualify", "--json", *paths], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"kundennetz qualify failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout.splitlines()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="7 rounds instead of 31 (well under a minute)")
    parser.add_argument("--repeat", type=int, default=None, help="rounds (default 7 quick, 31 full)")
    parser.add_argument("--files", type=int, default=FILES, help=f"files in the large call (default {FILES:,})")
    parser.add_argument("--kundennetz", default=None,
                        help="another installation's console script to time (default: the one beside this Python)")
    args = parser.parse_args()
    repeat = args.repeat or (7 if args.quick else 31)
    # Django's setup is a reference, seconds under load: a few rounds of it are enough.
    django_rounds = min(repeat, 2 if args.quick else 5)
    python = sys.executable
    kundennetz = args.kundennetz or str(Path(python).with_name("kundennetz"))
    if not Path(kundennetz).exists():
        raise SystemExit(f"no console script at {kundennetz}: run `make install` first")

    folder = Path(tempfile.mkdtemp(prefix="kundennetz-bench-cli-"))
    home = folder / "home"
    home.mkdir()
    try:
        paths = generate(folder, args.files)
        one = paths[:1]
        load_before = os.getloadavg()
        print(f"{args.files:,} checklist files in {folder}; {repeat} rounds; load average "
              f"{load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; Python may write byte code: "
              f"{'no (PYTHONDONTWRITEBYTECODE)' if os.environ.get('PYTHONDONTWRITEBYTECODE') else 'yes'}", flush=True)

        # Same answers under both locales (the JSON is language-free), one line per file.
        outputs = {locale: _answers(kundennetz, paths, _env(locale, str(home))) for locale in LOCALES}
        lines = {locale: len(out) for locale, out in outputs.items()}
        same = len(set(map(tuple, outputs.values()))) == 1 and all(n == args.files for n in lines.values())
        outcomes: dict[str, int] = {}
        for line in outputs[LOCALES[0]]:
            recommendation = json.loads(line)["recommendation"]
            outcomes[recommendation] = outcomes.get(recommendation, 0) + 1
        print(f"answers: {lines} lines, the same under both locales: {same}; outcomes {outcomes}", flush=True)

        big = f"_{args.files}"
        variants: dict[str, list[str]] = {
            "bare_parse_1": [python, "-c", BARE_PARSE, *one],
            "bare_parse" + big: [python, "-c", BARE_PARSE, *paths],
            "django_setup": [python, "-c", DJANGO_SETUP],
            "qualify_1": [kundennetz, "qualify", "--json", *one],
            "qualify" + big: [kundennetz, "qualify", "--json", *paths],
        }
        envs = {locale: _env(locale, str(home)) for locale in LOCALES}
        envs_django = {locale: {**env, "DJANGO_SETTINGS_MODULE": "kundennetz.settings.local"}
                       for locale, env in envs.items()}
        # For information: the same calls with our modules' byte code cached (kept in a folder of the run's
        # own), as in an installation where Python may write it. Without it (PYTHONDONTWRITEBYTECODE, as here)
        # every start compiles the quick path's modules again.
        cached_env = {**envs[LOCALES[-1]], "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
        cached_env.pop("PYTHONDONTWRITEBYTECODE", None)
        cached = {"qualify_1_bytecode_cached": variants["qualify_1"],
                  f"qualify{big}_bytecode_cached": variants["qualify" + big]}

        times: dict[str, dict[str, list[tuple[float, float]]]] = {
            locale: {name: [] for name in variants} for locale in LOCALES}
        times[LOCALES[-1]].update({name: [] for name in cached})
        for name, command in variants.items():  # warm the file cache once
            _run(command, envs_django[LOCALES[0]] if name == "django_setup" else envs[LOCALES[0]])
        for command in cached.values():  # and write the byte code of the cached variant
            _run(command, cached_env)
        for round_ in range(repeat):
            for locale in LOCALES:
                for name, command in variants.items():
                    if name == "django_setup" and round_ >= django_rounds:
                        continue
                    env = envs_django[locale] if name == "django_setup" else envs[locale]
                    times[locale][name].append(_run(command, env))
            for name, command in cached.items():
                times[LOCALES[-1]][name].append(_run(command, cached_env))
        load_after = os.getloadavg()

        figures: dict[str, dict] = {}
        goals_met = True
        print(f"\n{'locale':12} {'figure':34} {'median s':>9} {'p95 s':>9} {'CPU s':>9}")
        for locale in LOCALES:
            row = {name: {"median_s": round(statistics.median(w for w, _ in runs), 4),
                          "p95_s": round(_percentile([w for w, _ in runs], 0.95), 4),
                          "cpu_median_s": round(statistics.median(c for _, c in runs), 4)}
                   for name, runs in times[locale].items()}
            for name, value in row.items():
                print(f"{locale:12} {name:34} {value['median_s']:9.4f} {value['p95_s']:9.4f} "
                      f"{value['cpu_median_s']:9.4f}")
            median = {name: value["median_s"] for name, value in row.items()}
            startup = max(0.0, median["qualify_1"] - median["bare_parse_1"])
            allowed = 2 * median["bare_parse" + big] + startup
            one_met = median["qualify_1"] <= ONE_FILE_GOAL_S
            many_met = median["qualify" + big] <= allowed
            per_file_us = (median["qualify" + big] - median["qualify_1"]) / max(1, args.files - 1) * 1e6
            bare_per_file_us = (median["bare_parse" + big] - median["bare_parse_1"]) / max(1, args.files - 1) * 1e6
            row["ratios"] = {
                f"qualify{big}_over_bare_parse{big}": round(median["qualify" + big] / median["bare_parse" + big], 2),
                "qualify_1_over_bare_parse_1": round(median["qualify_1"] / median["bare_parse_1"], 2),
                "django_setup_over_qualify_1": round(median["django_setup"] / median["qualify_1"], 1),
            }
            row["startup_s"] = round(startup, 4)
            row["per_file_us"] = {"qualify": round(per_file_us, 1), "bare_parse": round(bare_per_file_us, 1)}
            row["goals"] = {"one_file_s": ONE_FILE_GOAL_S, "one_file_met": one_met,
                            f"qualify{big}_allowed_s": round(allowed, 4), f"qualify{big}_met": many_met}
            goals_met = goals_met and one_met and many_met
            figures[locale] = row
            print(f"{locale:12} ratio qualify{big} / bare parse{big}: "
                  f"{row['ratios'][f'qualify{big}_over_bare_parse{big}']:.2f}; per file {per_file_us:.0f} µs "
                  f"(bare {bare_per_file_us:.0f} µs); start-up beyond the bare parse {startup * 1000:.1f} ms")
            print(f"{locale:12} goal one file ≤ {ONE_FILE_GOAL_S} s: {'met' if one_met else 'MISSED'} "
                  f"({median['qualify_1']:.3f} s); {args.files:,} files ≤ 2 × bare + start-up = {allowed:.3f} s: "
                  f"{'met' if many_met else 'MISSED'} ({median['qualify' + big]:.3f} s)")
        print(f"load average at the end {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    result = {
        "files": args.files, "repeat": repeat, "django_setup_repeat": django_rounds, "kundennetz": kundennetz,
        "bytecode_written": not os.environ.get("PYTHONDONTWRITEBYTECODE"),
        "python": platform.python_version(),
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in load_after]},
        "same_answers_in_both_locales": same, "outcomes": outcomes, "locales": figures, "goals_met": goals_met,
    }
    print(json.dumps(result))
    if not same:
        return 1
    return 0 if goals_met or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
