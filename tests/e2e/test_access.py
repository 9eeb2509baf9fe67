"""Who may see and change what, through the browser: read-only viewers, separate organizations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e import steps
from tests.e2e.conftest import Clinic, Shoot, Tabs

pytestmark = pytest.mark.e2e


def test_a_viewer_reads_an_answer_but_cannot_change_it_even_with_a_forged_request(
    tabs: Tabs, clinic: Clinic, shoot: Shoot
) -> None:
    question = f"/assessments/{clinic.assessment_id}/questions/{clinic.first_question}/"
    owner = tabs.new(storage_state=clinic.owner_state)
    link = steps.invite(owner, clinic.org_id, "vera@example.org", "Viewer")
    shoot(owner, "web-invitation")
    owner.goto(question)
    version = owner.locator("#answer-form input[name=version]").input_value()

    viewer = tabs.new()
    steps.join_by_invitation(viewer, link, "vera-viewer")
    expect(viewer.get_by_text(f"Welcome to {clinic.name}. Your role: Viewer.")).to_be_visible()
    expect(viewer.get_by_role("heading", name=clinic.name)).to_be_visible()
    expect(viewer.get_by_role("link", name="Start a new assessment")).to_have_count(0)

    viewer.goto(question)
    notice = viewer.locator(".notice", has_text="Current answer")
    expect(notice).to_have_text(
        "Current answer: Partly. Your role lets you read this assessment but not change answers."
    )
    expect(viewer.locator("#answer-form")).to_have_count(0)
    expect(viewer.get_by_role("button", name="Yes", exact=True)).to_have_count(0)
    shoot(viewer, "web-question-viewer")

    # What a viewer could still try: send the owner's form by hand, with their own valid token.
    token = steps.csrf_token(viewer)
    forged = viewer.request.post(
        question,
        form={"csrfmiddlewaretoken": token, "version": version, "status": "implemented"},
        headers={"X-CSRFToken": token},
    )
    assert forged.status == 403
    assert f"Your role in {clinic.name} is Viewer" in forged.text()  # not a CSRF refusal

    viewer.reload()
    expect(notice).to_contain_text("Current answer: Partly.")
    owner.reload()
    expect(owner.locator("#answer-form input[name=version]")).to_have_value(version)
    expect(owner.locator("#answer-form .choice[aria-pressed=true]")).to_have_text("Partly")


def test_a_member_of_another_organization_gets_the_not_found_page_for_its_addresses(
    tabs: Tabs, clinic: Clinic, shoot: Shoot
) -> None:
    page = tabs.new()
    steps.sign_up(page, "mallory-elsewhere")
    own_org = steps.add_organization(page, "Eastside Dental")
    steps.enrol_second_step(page)
    expect(page.get_by_role("heading", name="Eastside Dental")).to_be_visible()
    assert own_org != clinic.org_id

    question = f"/assessments/{clinic.assessment_id}/questions/{clinic.first_question}/"
    for address in (
        f"/orgs/{clinic.org_id}/",
        f"/orgs/{clinic.org_id}/assessments/new/",
        f"/assessments/{clinic.assessment_id}/",
        question,
        f"/assessments/{clinic.assessment_id}/report/pdf/",
    ):
        response = page.goto(address)
        assert response is not None
        assert response.status == 404, address
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text(clinic.name)
    shoot(page, "web-not-found")

    owner = tabs.new(storage_state=clinic.owner_state)
    owner.goto(question)
    version = owner.locator("#answer-form input[name=version]").input_value()
    forged = page.request.post(
        question,
        form={
            "csrfmiddlewaretoken": steps.csrf_token(page),
            "version": version,
            "status": "implemented",
        },
    )
    assert forged.status == 404
    owner.reload()
    expect(owner.locator("#answer-form .choice[aria-pressed=true]")).to_have_text("Partly")

    page.goto("/orgs/")
    expect(page.locator("main")).not_to_contain_text(clinic.name)
