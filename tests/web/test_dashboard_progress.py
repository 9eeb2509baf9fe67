"""The dashboard's plan tasks and progress over assessment cycles."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.urls import reverse

from hicp.catalog import Tier
from hicp.web.core import plan_services, services
from hicp.web.core.models import Assessment, Organization
from hicp.web.core.roles import Role
from tests.web.conftest import EXAMPLE, MakeUser, SignIn, add_member


def _dashboard(client_user: User, organization: Organization, sign_in: SignIn) -> str:
    response = sign_in(client_user).get(reverse("organization-dashboard", args=[organization.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_dashboard_counts_plan_items_by_status_and_lists_the_next_open_ones(
    owner: User, assessment: Assessment, make_user: MakeUser, sign_in: SignIn
) -> None:
    sam = make_user("sam-contributor")
    add_member(sam, assessment.organization, Role.CONTRIBUTOR)
    track = plan_services.update_action_item
    yesterday = dt.date.today() - dt.timedelta(days=1)
    track(owner, assessment, "1.S.A", 1, {"status": "done"})
    track(owner, assessment, "1.S.B", 1, {"owner": sam, "due_date": yesterday})
    track(owner, assessment, "1.S.C", 1, {"status": "blocked"})

    text = _dashboard(owner, assessment.organization, sign_in)

    tasks = text.split('id="plan-tasks-heading"')[1].split("</section>")[0]
    assert '<span class="count">17</span> to do' in tasks
    assert '<span class="count">1</span> done' in tasks
    assert '<span class="count">1</span> blocked' in tasks
    assert '<span class="count">1</span> overdue' in tasks
    next_items = tasks.split("Next things to do")[1]
    assert reverse("action-item", args=[assessment.pk, "1.S.A"]) not in next_items  # done
    assert reverse("action-item", args=[assessment.pk, "1.S.B"]) in next_items
    assert "sam-contributor" in tasks
    assert f'{yesterday:%-d %b %Y} <span class="overdue-flag">overdue</span>' in tasks
    assert reverse("action-plan", args=[assessment.pk]) in tasks


def test_with_one_assessment_the_dashboard_says_the_trend_comes_after_the_next(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    text = _dashboard(owner, assessment.organization, sign_in)
    assert "The trend appears here after your next assessment" in text
    assert 'id="chart-trend"' not in text


def test_with_two_assessments_the_dashboard_shows_the_trend_chart_and_a_table(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    earlier = services.create_assessment(
        owner, organization, name="2025 check", tier=Tier.SMALL, date=dt.date(2025, 3, 1)
    )
    later = services.create_assessment(
        owner, organization, name="2026 check", tier=Tier.SMALL, date=dt.date(2026, 3, 1)
    )
    services.record_answer(owner, later, 1, "1.S.A", {"status": "implemented"})
    plan_services.update_action_item(owner, earlier, "1.S.B", 1, {"status": "done"})

    text = _dashboard(owner, organization, sign_in)

    progress = text.split('id="progress-heading"')[1].split("</section>")[0]
    assert "<svg" in progress and 'id="chart-trend"' in progress
    assert "Coverage and exposure over time" in progress
    assert progress.index("2025 check") < progress.index("2026 check")  # oldest first
    rows = progress.split("<tbody>")[1]
    assert "1 Mar 2025</td>\n            <td>0%</td>\n            <td>1 of 19</td>" in rows
    assert "1 Mar 2026</td>\n            <td>5%</td>\n            <td>0 of 18</td>" in rows


def test_assessments_of_one_date_list_without_a_chart(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    services.create_assessment(owner, assessment.organization, name="Redo", tier=Tier.SMALL)
    text = _dashboard(owner, assessment.organization, sign_in)
    assert "these all have the same date" in text
    assert 'id="chart-trend"' not in text
    assert "Redo" in text.split('id="progress-heading"')[1]


def test_an_imported_file_written_for_another_name_still_joins_the_trend(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    services.import_yaml(
        owner,
        assessment.organization,
        name="Imported",
        text=EXAMPLE.read_text(),
        filename="small-clinic.yaml",
    )
    text = _dashboard(owner, assessment.organization, sign_in)
    assert 'id="chart-trend"' in text
