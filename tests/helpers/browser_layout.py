"""Helpers of the layout and accessibility walk: the main pages of the demo, overflow and axe checks.

axe-core (tests/browser/vendor/axe.min.js, from the npm package) is injected into each page; nothing is
downloaded while the tests run.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent.parent / "browser" / "vendor" / "axe.min.js"
WIDTHS = (1280, 1440, 390)

# The elements that stick out to the right of the window, outside any box that scrolls on its own.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const out = [];
  if (document.documentElement.scrollWidth <= width) return {scroll: document.documentElement.scrollWidth, width, out};
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 0.5 || box.width === 0) continue;
    let scroller = el.parentElement, inside = false;
    while (scroller && scroller !== document.body) {
      const style = getComputedStyle(scroller);
      if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) { inside = true; break; }
      scroller = scroller.parentElement;
    }
    if (inside) continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    out.push(name + ' right=' + Math.round(box.right));
    if (out.length > 6) break;
  }
  return {scroll: document.documentElement.scrollWidth, width, out};
}"""


def main_paths(demo) -> list[str]:
    """The main pages, with records of the demo where a page shows one."""
    from kundennetz.accounts.models import Account, Contact, Opportunity
    from kundennetz.interactions.models import Interaction
    from kundennetz.planning.models import Scenario

    account = (Account.objects.filter(contacts__isnull=False, opportunities__isnull=False)
               .order_by("pk").first())
    contact = Contact.objects.filter(account=account).order_by("pk").first()
    opportunity = Opportunity.objects.filter(checklist__isnull=False).order_by("pk").first() or \
        Opportunity.objects.order_by("pk").first()
    interaction = Interaction.objects.order_by("pk").first()
    scenarios = list(Scenario.objects.filter(computed_at__isnull=False, conflicts=[]).order_by("pk")[:2])
    paths = [
        "/", "/accounts/", f"/accounts/{account.pk}/", f"/accounts/{account.pk}/edit/", "/contacts/",
        f"/contacts/{contact.pk}/", "/opportunities/", f"/opportunities/{opportunity.pk}/",
        f"/opportunities/{opportunity.pk}/edit/", "/opportunities/new/",
        f"/opportunities/{opportunity.pk}/checklist/", f"/opportunities/{opportunity.pk}/bid-sheet/",
        "/portfolio/", "/portfolio/accounts/", f"/portfolio/accounts/{account.pk}/override/", "/portfolio/model/",
        "/interactions/", "/my-week/", "/management/consistency/", "/core-messages/",
        "/planning/", "/planning/model/", "/trash/", "/profile/", "/imports/", "/exports/",
    ]
    if interaction is not None:
        paths.append(f"/interactions/{interaction.pk}/")
    if scenarios:
        paths.append(f"/planning/scenarios/{scenarios[0].pk}/")
    if len(scenarios) == 2:
        paths.append(f"/planning/scenarios/compare/?s={scenarios[0].pk}&s={scenarios[1].pk}")
    return paths


def overflow(page) -> dict:
    return page.evaluate(OVERFLOW_JS)


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each (rule, impact, where)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's debugging protocol, which the page's Content-Security-Policy
        # (no inline scripts) does not govern; a <script> tag would be refused, as it should be.
        page.evaluate("() => { " + AXE.read_text("utf-8") + "\n}")
    result = page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}"
            for v in result if v["impact"] in impacts]


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
