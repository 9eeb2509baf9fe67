"""A clinic manager's first visit: sign up, add the practice, answer every question, get the PDF."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from hicp.assessment.models import Assessment
from hicp.assessment.scoring import score
from hicp.catalog import Catalog, Tier
from hicp.reports.wording import ANSWER_LABELS, pct
from tests.conftest import assessment_data
from tests.e2e import steps
from tests.e2e.conftest import Shoot, Tabs
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.e2e

ORGANIZATION = "Northside Family Practice"
SMALL_QUESTIONS = 19
# Every kind of answer, in turn, so the scores and the plan have something to weigh.
ANSWERS = ["Yes", "Partly", "No", "Not sure", "Planned", "Yes", "Doesn't apply to us"]
WHY_NOT = "We have no such systems at the practice."
NOT_ACTIONS = {"Yes", "Doesn't apply to us"}  # nothing left to do for these


def _expected(catalog: Catalog, answered: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Overall coverage and each threat's exposure as the core scores the same answers."""
    status_of = {label: status for status, label in ANSWER_LABELS.items()}
    data = assessment_data(catalog, Tier.SMALL, {s: status_of[a] for s, a in answered.items()})
    result = score(catalog, Assessment.model_validate(data))
    return pct(result.coverage), {t.id: pct(t.exposure) for t in result.threats}


def _answer_every_question(page: Page, shoot: Shoot) -> dict[str, str]:
    answered: dict[str, str] = {}
    for number in range(1, SMALL_QUESTIONS + 1):
        # The bar shows the answers saved so far; it moves on with each question.
        expect(page.locator("label[for=progress]")).to_have_text(
            f"Question {number} of {SMALL_QUESTIONS} · {number - 1} answered"
        )
        expect(page.locator("#progress")).to_have_attribute("value", str(number - 1))
        label = ANSWERS[(number - 1) % len(ANSWERS)]
        sub_id = steps.question_id(page)
        assert sub_id not in answered, f"question {sub_id} came twice"
        steps.answer(page, label, why_not=WHY_NOT if label == "Doesn't apply to us" else "")
        answered[sub_id] = label
        if number == 2:
            shoot(page, "web-question")
        status = page.locator("#save-status")
        if number < SMALL_QUESTIONS:
            status.get_by_role("link", name="Next question →").click()
        else:
            expect(status).to_contain_text("That was the last question")
            status.get_by_role("link", name="see the results").click()
    return answered


def test_a_clinic_manager_signs_up_answers_every_question_and_downloads_the_pdf_report(
    tabs: Tabs, shoot: Shoot, catalog: Catalog
) -> None:
    page = tabs.new()
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shoot(page, "web-sign-in")
    page.get_by_role("link", name="Create an account").click()
    shoot(page, "web-sign-up")
    steps.sign_up(page, "nadia-manager")
    expect(page.get_by_text("Welcome. Start by adding your organization.")).to_be_visible()

    org_id = steps.add_organization(page, ORGANIZATION)
    expect(page.get_by_text("your account needs a second step")).to_be_visible()
    expect(page.get_by_role("img", name="QR code of your setup key")).to_be_visible()
    shoot(page, "web-two-step-enrol")
    backup_codes = steps.enrol_second_step(page)
    assert len(backup_codes) == 10
    expect(page).to_have_url(re.compile(rf"/orgs/{org_id}/$"))
    expect(page.get_by_role("heading", name=ORGANIZATION)).to_be_visible()
    expect(page.get_by_text("No assessment yet.")).to_be_visible()

    assessment_id = steps.start_assessment(page, org_id, "2026 self-assessment")
    answered = _answer_every_question(page, shoot)

    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/$"))
    coverage, exposures = _expected(catalog, answered)
    figures = page.locator(".key-figures .figure-value")
    expect(figures.nth(0)).to_have_text(coverage)
    expect(figures.nth(2)).to_have_text(f"{SMALL_QUESTIONS} of {SMALL_QUESTIONS}")
    shoot(page, "web-assessment")

    with page.expect_download(timeout=90_000) as download_info:
        page.get_by_role("link", name="Report: PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = download.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 10_000
    text = pdf_text(pdf)
    assert ORGANIZATION in text

    page.locator(".breadcrumb").get_by_role("link", name=ORGANIZATION).click()
    expect(page.get_by_role("heading", name=ORGANIZATION)).to_be_visible()
    expect(figures.nth(0)).to_have_text(coverage)
    expect(page.get_by_text("of the practices in scope are in place")).to_be_visible()
    chart = page.locator("section[aria-labelledby=exposure-heading] svg")
    expect(chart).to_be_visible()
    bars = chart.locator("g.bar")
    expect(bars).to_have_count(5)
    shown = {
        bars.nth(i).get_attribute("data-threat"): bars.nth(i).locator("text").nth(1).text_content()
        for i in range(5)
    }
    assert shown == exposures
    first_actions = page.locator("ol.actions > li")
    expect(first_actions.first).to_be_visible()
    acted_on = re.findall(r"\((\d+\.S\.[A-Z])\)", " ".join(first_actions.all_inner_texts()))
    assert acted_on, "the first actions name no sub-practice"
    assert all(answered[sub_id] not in NOT_ACTIONS for sub_id in acted_on), acted_on
    shoot(page, "web-dashboard")

    assert tabs.console_errors(page) == []
