"""Concurrent editors against a real server: lost updates, duplicates, server errors, stale saves detected.

Starts ``kundennetz serve`` (gunicorn, several workers) on a free loopback port, on a fresh SQLite file and,
when a server answers at ``--postgres``, on a fresh PostgreSQL database; then N editors (threads, real
HTTP) work for a fixed time, each round doing:

- an API PATCH of *its own* field of a shared opportunity (every editor a different field of the same
  records): afterwards every field must hold the value of its editor's last accepted PATCH, otherwise an
  update was lost;
- an API PATCH with ``If-Match`` of the version it just read: a 412 is a stale save detected;
- a web form edit of a shared account (the edit page, then the save, both editors changing the same
  field): a page showing the conflict is a stale save detected, a saved form with a value the others
  never saw would be a lost update (prevented by the version the form carries);
- a double submit, by API (two POSTs with one ``Idempotency-Key`` at the same moment) and by web form
  (the same rendered form posted twice at the same moment): more than one record is a duplicate;
- first opens: the checklist page of an opportunity nobody answered yet, opened by everybody, and first
  answers to it by API at the same moment: a checklist stored by a look, or two of them, is an error.

Then the light-load table: 8 clients for a few seconds each on the account list, a checklist page and the
API's account list (requests per second and 95th percentile), and the checklist page unloaded.

    .venv/bin/python bench/concurrency.py --quick    # 4 editors × 8 s per database, short light-load runs
    .venv/bin/python bench/concurrency.py            # 8 editors × 30 s per database

Prints the figures per database and, as its last line, one JSON object. Exit status 1 when a lost update,
a duplicate, a stored-by-looking checklist or a server error (5xx) occurred.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
PASSWORD = "Bench-Passwort-2026!"
FIELDS = [("title", lambda e, i: f"T{e}-{i}"), ("need", lambda e, i: f"N{e}-{i}"),
          ("expected_volume", lambda e, i: f"{100000 + e * 1000 + i}.00"),
          ("offer_price", lambda e, i: f"{200000 + e * 1000 + i}.00"),
          ("estimated_margin_pct", lambda e, i: f"{10 + (e + i) % 50}.00"),
          ("expected_decision_date", lambda e, i: f"2027-{1 + (e + i) % 12:02d}-{1 + i % 28:02d}")]

SETUP = r"""
import json, sys
import django
django.setup()
from kundennetz.accounts.models import Account, Contact, Opportunity, Stage
from kundennetz.core.models import ApiToken, User
editors, opportunities = int(sys.argv[1]), int(sys.argv[2])
users = []
for n in range(editors):
    user = User.objects.create_user(f"editor{n}", password=PASSWORD, role="sales_head", first_name="Editor",
                                    last_name=str(n), language="en")
    users.append({"username": user.username, "token": ApiToken.issue(user, "bench")[1]})
owner = User.objects.create_user("bench-owner", password=PASSWORD, role="account_manager", last_name="Owner")
stage = Stage.objects.filter(type="open").order_by("order").first()
accounts = [Account.objects.create(name=f"Bench {n} AG", city="Bern", owner=owner) for n in range(4)]
for account in accounts:
    Contact.objects.create(account=account, first_name="Anna", last_name=f"Kontakt {account.pk}")
opps = [Opportunity.objects.create(account=accounts[n % 4], title=f"Deal {n}", owner=owner, stage=stage)
        for n in range(opportunities)]
print(json.dumps({"users": users, "accounts": [a.pk for a in accounts], "opportunities": [o.pk for o in opps]}))
""".replace("PASSWORD", repr(PASSWORD))

VERIFY = r"""
import json, sys
from collections import Counter
import django
django.setup()
from kundennetz.accounts.models import Contact, Opportunity
from kundennetz.qualification.models import Checklist
wanted = json.loads(sys.stdin.read())
fields = sorted({f for _o, f in (k.split(":") for k in wanted["expected"])})
stored = {o["id"]: o for o in Opportunity.objects.filter(pk__in=wanted["opportunities"]).values("id", *fields)}
lost = 0
for key, value in wanted["expected"].items():
    pk, name = key.split(":")
    if str(stored[int(pk)][name]) != value:
        lost += 1
names = Counter(Contact.objects.filter(last_name__startswith="dup-").values_list("last_name", flat=True))
duplicates = sum(count - 1 for count in names.values() if count > 1)
missing = sum(1 for name in wanted["created"] if name not in names)
per_opportunity = Counter(Checklist.objects.values_list("opportunity_id", flat=True))
looked_only = set(wanted["looked_only"]) & set(per_opportunity)
print(json.dumps({"lost_updates": lost, "duplicates": duplicates, "missing": missing,
                  "double_checklists": sum(1 for c in per_opportunity.values() if c > 1),
                  "stored_by_looking": len(looked_only)}))
"""


# --------------------------------------------------------------------------------------------------
# A small HTTP client (keep-alive, cookies, CSRF), one per thread
# --------------------------------------------------------------------------------------------------


class Client:
    def __init__(self, port: int, token: str | None = None):
        self.port, self.token, self.cookies = port, token, {}
        self.conn = None

    def request(self, method: str, path: str, *, json_body=None, form=None, headers=None):
        headers = dict(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body)
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                started = time.perf_counter()
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                elapsed = time.perf_counter() - started
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn = None
                if attempt:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";")[0]
        return response.status, dict(response.getheaders()), data.decode("utf-8", "replace"), elapsed

    def login(self, username: str) -> None:
        self.request("GET", "/login/")
        status, _h, _b, _e = self.request("POST", "/login/", form={
            "username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
        if status != 302:
            raise SystemExit(f"login of {username} failed ({status})")


class _Form(HTMLParser):
    """The fields a browser would submit from the first form holding a hidden `version` or `form_token`."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.current, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = []
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.current.append((a["name"], a.get("value", "on")))
            else:
                self.current.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.current.append((self.select, a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            self.current.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "form":
            self.current = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def form_fields(html: str, marker: str) -> dict:
    parser = _Form()
    parser.feed(html)
    for fields in parser.forms:
        if any(name == marker for name, _v in fields):
            data: dict = {}
            for name, value in fields:
                data.setdefault(name, []).append(value.lstrip("\n"))
            return data
    return {}


# --------------------------------------------------------------------------------------------------
# The editors
# --------------------------------------------------------------------------------------------------


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.errors_5xx = 0
        self.statuses: dict[int, int] = {}
        self.stale_api = 0
        self.stale_web = 0
        self.merged_web = 0
        self.expected: dict[str, str] = {}
        self.created: list[str] = []
        self.looked_only: set[int] = set()

    def count(self, status: int) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status >= 500:
                self.errors_5xx += 1


def _both(fn_a, fn_b):
    """Two requests at the same moment (a double click)."""
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(index, fn):
        barrier.wait()
        results[index] = fn()

    threads = [threading.Thread(target=run, args=(0, fn_a)), threading.Thread(target=run, args=(1, fn_b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def editor(number: int, port: int, setup: dict, tally: Tally, deadline: float, fresh: list[int]) -> None:
    user = setup["users"][number]
    api = Client(port, user["token"])
    web = Client(port)
    web.login(user["username"])
    field, value_of = FIELDS[number % len(FIELDS)]
    opportunities, accounts = setup["opportunities"], setup["accounts"]
    shared_account = accounts[0]
    round_ = 0
    while time.perf_counter() < deadline:
        round_ += 1
        # 1. Its own field of a shared opportunity (all editors patch the same records, different fields).
        opportunity = opportunities[round_ % 4]
        value = value_of(number, round_)
        status, *_ = api.request("PATCH", f"/api/opportunities/{opportunity}", json_body={field: value})
        tally.count(status)
        if status == 200:
            with tally.lock:
                tally.expected[f"{opportunity}:{field}"] = value
        # 2. If-Match of what it just read, on a record everybody writes: a 412 is a stale save detected.
        status, headers, _b, _e = api.request("GET", f"/api/accounts/{shared_account}")
        tally.count(status)
        status, *_ = api.request("PATCH", f"/api/accounts/{shared_account}", json_body={"website": f"https://e{number}-{round_}.example.ch"},
                                 headers={"If-Match": headers.get("ETag", '"0"')})
        tally.count(status)
        if status == 412:
            with tally.lock:
                tally.stale_api += 1
        # 3. A web form: the edit page, then the save, everybody changing the same field.
        status, _h, page, _e = web.request("GET", f"/accounts/{accounts[1]}/edit/")
        tally.count(status)
        data = form_fields(page, "version")
        if data:
            data["industry"] = [f"Branche {number}-{round_}"]
            data["csrfmiddlewaretoken"] = [web.cookies.get("csrftoken", "")]
            status, _h, body, _e = web.request("POST", f"/accounts/{accounts[1]}/edit/", form=data)
            tally.count(status)
            if status == 200 and 'id="conflict"' in body:
                with tally.lock:
                    tally.stale_web += 1
            elif status == 302:
                with tally.lock:
                    tally.merged_web += 1
        # 4. Double submits: API with one Idempotency-Key, web form with one rendered token.
        if round_ % 3 == 0:
            name = f"dup-api-{number}-{round_}"
            key = uuid.uuid4().hex
            other = Client(port, user["token"])
            body = {"account": accounts[2], "last_name": name}
            results = _both(lambda: api.request("POST", "/api/contacts", json_body=body,
                                                headers={"Idempotency-Key": key}),
                            lambda: other.request("POST", "/api/contacts", json_body=body,
                                                  headers={"Idempotency-Key": key}))
            for status, *_ in results:
                tally.count(status)
            if any(status == 201 for status, *_ in results):
                with tally.lock:
                    tally.created.append(name)
            status, _h, page, _e = web.request("GET", f"/contacts/new/?account={accounts[3]}")
            tally.count(status)
            data = form_fields(page, "last_name")
            if data:
                name = f"dup-web-{number}-{round_}"
                data.update({"last_name": [name], "account": [str(accounts[3])],
                             "csrfmiddlewaretoken": [web.cookies.get("csrftoken", "")]})
                twin = Client(port)
                twin.cookies = dict(web.cookies)
                results = _both(lambda: web.request("POST", "/contacts/new/", form=data),
                                lambda: twin.request("POST", "/contacts/new/", form=data))
                for status, *_ in results:
                    tally.count(status)
                if any(status == 302 for status, *_ in results):
                    with tally.lock:
                        tally.created.append(name)
        # 5. First opens: everybody looks at a checklist nobody answered; odd rounds answer it too.
        if fresh and round_ % 2 == 0:
            target = fresh[(round_ // 2) % len(fresh)]
            status, *_ = web.request("GET", f"/opportunities/{target}/checklist/")
            tally.count(status)
            if target % 2:
                status, *_ = api.request("PUT", f"/api/opportunities/{target}/checklist/answers/need",
                                         json_body={"value": "yes"})
                tally.count(status)


# --------------------------------------------------------------------------------------------------
# Light load
# --------------------------------------------------------------------------------------------------


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))] if ordered else 0.0


def light_load(port: int, setup: dict, seconds: float, clients: int = 8) -> dict:
    checklist = setup["opportunities"][1]
    token = setup["users"][0]["token"]
    pages = [("account list", "/accounts/", False), ("checklist page", f"/opportunities/{checklist}/checklist/", False),
             ("API account list", "/api/accounts?limit=50", True)]
    result = {}
    for label, path, is_api in pages:
        # Unloaded: one client, one after the other.
        one = Client(port, token if is_api else None)
        if not is_api:
            one.login(setup["users"][0]["username"])
        single = []
        for _ in range(15):
            status, _h, _b, elapsed = one.request("GET", path)
            single.append(elapsed)
        times: list[float] = []
        statuses: list[int] = []
        lock = threading.Lock()
        clients_ready = []
        for _ in range(clients):  # logged in before the clock starts (a login hashes a password)
            client = Client(port, token if is_api else None)
            if not is_api:
                client.cookies = dict(one.cookies)
            clients_ready.append(client)
        stop = time.perf_counter() + seconds

        def run(client):
            while time.perf_counter() < stop:
                status, _h, _b, elapsed = client.request("GET", path)
                with lock:
                    times.append(elapsed)
                    statuses.append(status)

        started = time.perf_counter()
        threads = [threading.Thread(target=run, args=(client,)) for client in clients_ready]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        result[label] = {"unloaded_ms": round(_percentile(single[3:], 0.5) * 1000, 1),
                         "rps": round(len(times) / wall, 1), "p95_ms": round(_percentile(times, 0.95) * 1000, 1),
                         "errors": sum(1 for s in statuses if s >= 400)}
    return result


# --------------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(database_url: str, home: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, KUNDENNETZ_HOME=home,
               DJANGO_SETTINGS_MODULE="kundennetz.settings.local", PYTHONPATH=str(ROOT / "src"))
    env.pop("KUNDENNETZ_SECRET_KEY", None)
    return env


def _kundennetz(*args, env):
    exe = Path(sys.executable).parent / "kundennetz"
    done = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"kundennetz {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _python(code: str, *args, env, stdin: str | None = None) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, input=stdin)
    if done.returncode:
        raise SystemExit(f"script failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _wait(port: int, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not come up")


def run_database(label: str, database_url: str, editors: int, seconds: float, workers: int, load_seconds: float) -> dict:
    home = tempfile.mkdtemp(prefix="kundennetz-bench-concurrency-")
    env = _env(database_url, home)
    server = None
    try:
        _kundennetz("migrate", "--noinput", "-v", "0", env=env)
        setup = _python(SETUP, str(editors), "12", env=env)
        port = _free_port()
        exe = Path(sys.executable).parent / "kundennetz"
        log = open(Path(home) / "server.log", "wb")  # noqa: SIM115 - closed with the server below
        server = subprocess.Popen([str(exe), "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        _wait(port)
        tally = Tally()
        fresh = setup["opportunities"][4:]
        tally.looked_only = {pk for pk in fresh if pk % 2 == 0}
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        threads = [threading.Thread(target=editor, args=(n, port, setup, tally, deadline, fresh))
                   for n in range(editors)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        verified = _python(VERIFY, env=env, stdin=json.dumps({
            "expected": tally.expected, "opportunities": setup["opportunities"], "created": tally.created,
            "looked_only": sorted(tally.looked_only)}))
        load = light_load(port, setup, load_seconds)
        if tally.errors_5xx:  # the server's own account of what failed, before its directory goes away
            log.flush()
            text = (Path(home) / "server.log").read_text(errors="replace")
            print(f"{label}: server log around the last error:\n{text[text.rfind('Traceback') - 300:][:4000]}",
                  file=sys.stderr, flush=True)
        figures = {
            "editors": editors, "seconds": round(wall, 1), "workers": workers, "requests": tally.requests,
            "rps": round(tally.requests / wall, 1), "server_errors": tally.errors_5xx,
            "lost_updates": verified["lost_updates"], "duplicates": verified["duplicates"],
            "double_checklists": verified["double_checklists"], "stored_by_looking": verified["stored_by_looking"],
            "missing_creations": verified["missing"],
            "stale_detected_api": tally.stale_api, "stale_detected_web": tally.stale_web,
            "web_saves": tally.merged_web, "fields_checked": len(tally.expected), "created_checked": len(tally.created),
            "statuses": {str(k): v for k, v in sorted(tally.statuses.items())}, "light_load": load,
        }
        print(f"{label}: {editors} editors × {wall:.1f} s, {tally.requests} requests ({figures['rps']} req/s); "
              f"5xx {tally.errors_5xx}; lost updates {verified['lost_updates']} of {len(tally.expected)} fields; "
              f"duplicates {verified['duplicates']} of {len(tally.created)} double submits; "
              f"checklists stored by looking {verified['stored_by_looking']}, twice {verified['double_checklists']}; "
              f"stale saves detected: API {tally.stale_api}, web {tally.stale_web} (web saves {tally.merged_web})",
              flush=True)
        for name, row in load.items():
            print(f"  {name:17s} unloaded {row['unloaded_ms']:7.1f} ms · 8 clients {row['rps']:6.1f} req/s, "
                  f"p95 {row['p95_ms']:7.1f} ms, errors {row['errors']}", flush=True)
        return figures
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(home, ignore_errors=True)


def _postgres_available(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001
        return False


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 editors × 8 s, light load 3 s per page")
    parser.add_argument("--editors", type=int, help="concurrent editors (default 8, quick 4)")
    parser.add_argument("--seconds", type=float, help="how long the editors work (default 30, quick 8)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--postgres", default=PG_DEFAULT, help="a PostgreSQL server's URL (any database on it)")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="one database only")
    args = parser.parse_args()
    editors = args.editors or (4 if args.quick else 8)
    seconds = args.seconds or (8.0 if args.quick else 30.0)
    load_seconds = 3.0 if args.quick else 10.0
    results = {}
    if args.only != "postgres":
        home = tempfile.mkdtemp(prefix="kundennetz-bench-sqlite-")
        try:
            results["sqlite"] = run_database("SQLite", f"sqlite:///{home}/bench.sqlite3", editors, seconds,
                                             args.workers, load_seconds)
        finally:
            shutil.rmtree(home, ignore_errors=True)
    if args.only != "sqlite":
        if _postgres_available(args.postgres):
            name = f"bench_concurrency_{os.getpid()}"
            base = re.sub(r"/[^/]*$", "", args.postgres)
            _pg_admin(args.postgres, f'CREATE DATABASE "{name}"')
            try:
                results["postgres"] = run_database("PostgreSQL", f"{base}/{name}", editors, seconds, args.workers,
                                                   load_seconds)
            finally:
                _pg_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            print(f"PostgreSQL: no server answers at {args.postgres}; skipped", flush=True)
    failed = any(r["server_errors"] or r["lost_updates"] or r["duplicates"] or r["stored_by_looking"]
                 or r["double_checklists"] for r in results.values())
    print(json.dumps({"quick": args.quick, **results, "ok": not failed}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
