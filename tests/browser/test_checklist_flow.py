"""Qualifying an opportunity in a real browser: answer the eight headlines by clicking, watch the
recommendation change without a page load, name our decision maker, decide, and fetch the PDF."""

import re

import pytest

from cast import PASSWORD, make_cast, make_network
from kundennetz.qualification.models import PursuitDecision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The answer that is favourable for each headline question, as worded ("Is the competition strong?" → no).
FAVOURABLE = {"aspiration": "yes", "solution": "yes", "competition": "no", "only_me": "yes",
              "time_scale": "yes", "money": "yes", "authority": "yes", "need": "yes"}


def test_answer_all_eight_headlines_decide_and_open_the_pdf(live_server, page):
    expect = pytest.importorskip("playwright.sync_api").expect
    cast = make_cast()
    cast.owner.language = "en"
    cast.owner.save()
    opportunity = make_network(cast).opportunity
    # Four eyes: an owner decides on their own deal only where the admin allows it for its volume.
    from kundennetz.core import tunables
    from kundennetz.core.tunables.schemas import PursuitRules

    tunables.save(PursuitRules, {"allow_self_decision": True,
                                 "self_decision_max_volume": float(opportunity.expected_volume or 0)}, cast.admin)
    checklist_url = f"/opportunities/{opportunity.pk}/checklist/"

    page.goto(f"{live_server.url}{checklist_url}")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("User name").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(checklist_url) + "$"))

    panel = page.locator("#recommendation-panel")
    expect(panel).to_have_attribute("data-recommendation", "clarify")
    # A page load would drop this marker: everything below must happen in place.
    page.evaluate("window.stillTheSamePage = true")

    for key, value in FAVOURABLE.items():
        form = page.locator(f"#f-{key}")
        form.locator(f"label.ck-choice.{value}").click()
        expect(form).to_have_attribute("data-state", "favourable")
    expect(panel).to_have_attribute("data-recommendation", "offer")
    expect(page.locator("#light-competition")).not_to_have_attribute("data-light", "red")

    # Answered by keyboard too: arrow keys move within the radio group and save each step.
    page.locator("#id_need--strategy_value_0").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#f-need--strategy")).to_have_attribute("data-state", "unfavourable")
    expect(page.locator("#light-need")).to_have_attribute("data-light", "amber")

    # The owner may decide (small volume) once named as our decision maker; the form opens without a reload.
    decision = page.locator("#decision")
    expect(decision.get_by_role("button", name="Record decision")).to_be_disabled()
    page.locator("#id_authority--our_decider_value").select_option(label=str(cast.owner))
    expect(decision.get_by_role("button", name="Record decision")).to_be_enabled()
    decision.get_by_label("Pursue", exact=True).check()
    decision.get_by_label("Reason").fill("Fits our strategy")
    decision.get_by_role("button", name="Record decision").click()
    expect(page.locator(".ck-latest")).to_have_attribute("data-decision", "pursue")
    expect(page.locator(".ck-latest")).to_contain_text("Fits our strategy")
    assert page.evaluate("window.stillTheSamePage") is True

    history = page.locator("#history")
    expect(history).to_contain_text("Is the customer's need clearly described?")

    pdf_url = page.locator("#pdf-link").get_attribute("href")
    response = page.request.get(f"{live_server.url}{pdf_url}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    recorded = PursuitDecision.objects.get(opportunity=opportunity)
    assert (recorded.decision, recorded.decided_by, recorded.recommendation) == ("pursue", cast.owner, "offer")
