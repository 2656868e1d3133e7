"""Regenerate the README's screenshots from the demo (`make screenshots`), so that they never go stale.

A fresh SQLite database in a temporary KUNDENNETZ_HOME gets the demo (dates relative to a fixed day, so
the pictures change only when the pages do), the app is served on a free local port, and headless
Chromium (the machine's own, through Playwright) takes each picture as the sales head in German at
1280 × 800 px. Nothing outside docs/screenshot-*.png is touched.

    .venv/bin/python scripts/screenshots.py [--out docs] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REFERENCE_DAY = "2026-11-27"
LOGIN = ("sales", "demo-sales-2026")
VIEWPORT = {"width": 1280, "height": 800}
CHECKLIST_TITLE = "OT-Security Leitsystem"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kundennetz(*args: str, env: dict) -> str:
    result = subprocess.run([str(BIN / "kundennetz"), *args], env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"kundennetz {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the server did not answer at {url}")


def checklist_path(env: dict) -> str:
    """The checklist shown in the README: the demo's OT-Security deal, else the first opportunity with one."""
    code = (
        "from kundennetz.accounts.models import Opportunity as O;"
        f"o = O.objects.filter(title={CHECKLIST_TITLE!r}).first() or O.objects.filter(checklist__isnull=False)"
        ".order_by('pk').first() or O.objects.order_by('pk').first();"
        "print(o.pk)"
    )
    return f"/opportunities/{kundennetz('shell', '-c', code, env=env).strip()}/checklist/"


def take(base: str, out: Path, chromium: str, env: dict) -> list[Path]:
    from playwright.sync_api import sync_playwright

    shots = [("screenshot-accounts.png", "/accounts/"), ("screenshot-checklist.png", checklist_path(env)),
             ("screenshot-portfolio.png", "/portfolio/")]
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport=VIEWPORT, locale="de-CH").new_page()
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", LOGIN[0])
        page.fill("input[name=password]", LOGIN[1])
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
        for name, path in shots:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            target = out / name
            page.screenshot(path=str(target))
            written.append(target)
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="Folder for the pictures (default: docs).")
    parser.add_argument("--chromium", default=os.environ.get("KUNDENNETZ_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    if not Path(args.chromium).exists():
        sys.exit(f"no Chromium at {args.chromium}: install the chromium package (or pass --chromium)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kundennetz-screenshots-") as home:
        env = {**os.environ, "KUNDENNETZ_HOME": home, "DJANGO_SETTINGS_MODULE": "kundennetz.settings.local"}
        env.pop("DATABASE_URL", None)
        kundennetz("migrate", "--noinput", "-v", "0", env=env)
        kundennetz("demo", "--reference-date", REFERENCE_DAY, "-v", "0", env=env)
        port = free_port()
        server = subprocess.Popen([str(BIN / "kundennetz"), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                   "--no-worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/login/")
            for path in take(base, out, args.chromium, env):
                print(f"wrote {path}")
        finally:
            server.terminate()
            server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
