"""The REST API: token sign-in, tenant isolation for every operation, versioned audited writes.

The cross-tenant test enumerates the operations from the API's own OpenAPI schema, so an
operation added later is tested too; one with a path parameter it does not know fails until
SAMPLE_PARAMETERS learns it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLResolver, path
from django.utils import timezone

from hicp.assessment.plan import build_plan
from hicp.assessment.scoring import score
from hicp.catalog import Tier, default_catalog
from hicp.web import urls as project_urls
from hicp.web.core import plan_services, selectors, services
from hicp.web.core.api import api
from hicp.web.core.api_auth import create_api_token, revoke_api_token, user_for_token
from hicp.web.core.models import (
    ActionItem,
    ApiToken,
    Assessment,
    Assignment,
    AuditEntry,
    Organization,
)
from hicp.web.core.roles import Role
from tests.web.conftest import MakeUser, SignIn, add_member

# The project's URLs with the API at /api/, whether or not hicp/web/urls.py mounts it yet.
_MOUNTED = any(
    isinstance(p, URLResolver) and p.namespace == "api" for p in project_urls.urlpatterns
)
urlpatterns = [*project_urls.urlpatterns, *([] if _MOUNTED else [path("api/", api.urls)])]
pytestmark = pytest.mark.urls(__name__)

SCHEMA = api.get_openapi_schema(path_prefix="/api/")
OPERATIONS = [(method.upper(), route) for route, item in SCHEMA["paths"].items() for method in item]
EXPECTED_OPERATIONS = {
    ("GET", "/api/organizations"),
    ("GET", "/api/organizations/{org_id}"),
    ("GET", "/api/organizations/{org_id}/assessments"),
    ("GET", "/api/assessments/{assessment_id}"),
    ("GET", "/api/assessments/{assessment_id}/answers"),
    ("GET", "/api/assessments/{assessment_id}/answers/{sub_practice_id}"),
    ("PUT", "/api/assessments/{assessment_id}/answers/{sub_practice_id}"),
    ("GET", "/api/assessments/{assessment_id}/plan"),
    ("GET", "/api/assessments/{assessment_id}/action-items"),
    ("PUT", "/api/assessments/{assessment_id}/action-items/{sub_practice_id}"),
}
ID_PARAMETERS = {"org_id", "assessment_id"}
SCOPED = [(m, r) for m, r in OPERATIONS if any(f"{{{p}}}" in r for p in ID_PARAMETERS)]
# At least this many operations take an organization or assessment id today.
MINIMUM_SCOPED = 7
# A valid body for each method that takes one, so a refusal cannot come from the body.
BODIES = {"PUT": {"status": "implemented", "version": 1}}
# Routes whose body differs from their method's (an action item's status is not an answer's).
ROUTE_BODIES = {
    ("PUT", "/api/assessments/{assessment_id}/action-items/{sub_practice_id}"): {
        "status": "in_progress",
        "version": 1,
    },
}
SUB_ID = "1.S.A"  # the first question of a small-tier assessment


def _url(route: str, organization: Organization, assessment: Assessment) -> str:
    values = {"org_id": organization.pk, "assessment_id": assessment.pk, "sub_practice_id": SUB_ID}
    url = route
    for name in ("org_id", "assessment_id", "sub_practice_id"):
        url = url.replace(f"{{{name}}}", str(values[name]))
    if "{" in url:
        pytest.fail(f"{route}: add a sample value for its parameter to _url")
    return url


def _call(client: Client, method: str, url: str, token: str | None, **extra: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(extra.pop("headers", {}))
    body = extra.pop("body", BODIES.get(method))
    if body is None:
        return client.generic(method, url, headers=headers)
    return client.generic(
        method, url, json.dumps(body), content_type="application/json", headers=headers
    )


def _body(method: str, route: str) -> dict[str, Any] | None:
    return ROUTE_BODIES.get((method, route), BODIES.get(method))


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The one error shape: {"error": {"code", "message", "problems": [...]}}."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "problems"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    for problem in body["error"]["problems"]:
        assert set(problem) == {"message", "line", "where"}
    error: dict[str, Any] = body["error"]
    return error


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def token(owner: User) -> str:
    return create_api_token(owner, "laptop")[1]


@pytest.fixture
def org_b(make_user: MakeUser) -> tuple[Organization, Assessment]:
    someone = make_user("bob-other-org")
    organization = services.create_organization(someone, "Other Org B")
    assessment = services.create_assessment(someone, organization, name="B", tier=Tier.SMALL)
    return organization, assessment


def _member_token(make_user: MakeUser, organization: Organization, role: Role) -> str:
    member = make_user(f"member-{role}")
    add_member(member, organization, role)
    return create_api_token(member, "script")[1]


def _answers_url(assessment: Assessment, sub_id: str = SUB_ID) -> str:
    return f"/api/assessments/{assessment.pk}/answers/{sub_id}"


def _snapshot(assessment: Assessment) -> tuple[str, int, int]:
    assessment.refresh_from_db()
    return assessment.yaml_text, assessment.version, AuditEntry.objects.count()


# --- Tokens ----------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_sha256_digest(owner: User) -> None:
    row, token = create_api_token(owner, "laptop")
    assert token.startswith(f"hicp_{row.prefix}_")
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=row.pk).values().get()
    assert not any(token in str(value) for value in stored.values())
    assert user_for_token(token) == owner


def test_two_tokens_never_share_a_prefix_or_a_secret(owner: User) -> None:
    tokens = [create_api_token(owner, "t")[1] for _ in range(20)]
    assert len(set(tokens)) == 20
    assert ApiToken.objects.values("prefix").distinct().count() == 20


def test_a_user_can_revoke_only_their_own_token(owner: User, make_user: MakeUser) -> None:
    row, token = create_api_token(owner, "laptop")
    assert not revoke_api_token(make_user("mallory"), row.pk)
    assert user_for_token(token) == owner
    assert revoke_api_token(owner, row.pk)
    assert user_for_token(token) is None
    assert not revoke_api_token(owner, row.pk)  # already revoked


def test_using_a_token_records_when_it_was_last_used(owner: User, token: str) -> None:
    assert user_for_token(token) == owner
    assert ApiToken.objects.get().last_used_at is not None


def _tampered(token: str) -> str:
    return token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")


@pytest.mark.parametrize(
    ("case", "header"),
    [
        ("missing", None),
        ("empty bearer", "Bearer "),
        ("wrong scheme", "Basic {token}"),
        ("not a hicp token", "Bearer abcdef"),
        ("right prefix, wrong secret", "Bearer {tampered}"),
        ("unknown prefix", "Bearer hicp_000000000000_{secret}"),
    ],
)
def test_a_request_without_a_valid_token_is_401(
    case: str, header: str | None, token: str, client: Client, assessment: Assessment
) -> None:
    headers = {}
    if header is not None:
        secret = token.split("_", 2)[2]
        headers["Authorization"] = header.format(
            token=token, tampered=_tampered(token), secret=secret
        )
    response = client.get("/api/organizations", headers=headers)
    _error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401(owner: User, client: Client) -> None:
    row, token = create_api_token(owner, "laptop")
    assert _call(client, "GET", "/api/organizations", token).status_code == 200
    revoke_api_token(owner, row.pk)
    _error(_call(client, "GET", "/api/organizations", token), 401, "unauthorized")


def test_a_token_of_a_deactivated_user_is_401(owner: User, token: str, client: Client) -> None:
    owner.is_active = False
    owner.save()
    _error(_call(client, "GET", "/api/organizations", token), 401, "unauthorized")


def test_a_signed_in_browser_session_alone_does_not_open_the_api(
    owner: User, assessment: Assessment, sign_in: SignIn
) -> None:
    """Only tokens sign API requests, so another site cannot ride a user's session (CSRF)."""
    session = sign_in(owner)
    _error(session.get(f"/api/assessments/{assessment.pk}"), 401, "unauthorized")
    before = _snapshot(assessment)
    response = _call(session, "PUT", _answers_url(assessment), None)
    _error(response, 401, "unauthorized")
    assert _snapshot(assessment) == before


# --- The schema ------------------------------------------------------------------------------


def test_the_openapi_schema_is_served_and_lists_every_endpoint(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    served = response.json()
    operations = {(m.upper(), r) for r, item in served["paths"].items() for m in item}
    assert operations == EXPECTED_OPERATIONS
    assert set(OPERATIONS) == EXPECTED_OPERATIONS
    assert served["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    for route, item in served["paths"].items():
        for method, operation in item.items():
            assert operation.get("security"), f"{method} {route} must need a token"
            assert "404" in operation["responses"] or route == "/api/organizations"


def test_an_unknown_api_path_is_a_404_in_the_error_shape(client: Client, token: str) -> None:
    _error(_call(client, "GET", "/api/nothing-here", token), 404, "not_found")
    _error(_call(client, "GET", "/api/", token), 404, "not_found")
    _error(_call(client, "GET", "/api/assessments/not-a-number", token), 404, "not_found")


def test_a_method_an_endpoint_does_not_take_is_405_in_the_error_shape(
    client: Client, token: str, assessment: Assessment
) -> None:
    response = _call(client, "DELETE", f"/api/assessments/{assessment.pk}", token)
    assert "GET" in _error(response, 405, "method_not_allowed")["message"]
    response = _call(client, "POST", _answers_url(assessment), token)
    assert "PUT" in _error(response, 405, "method_not_allowed")["message"]


# --- Tenant isolation ------------------------------------------------------------------------


def test_the_enumeration_finds_every_operation_that_takes_an_object_id() -> None:
    assert len(SCOPED) >= MINIMUM_SCOPED
    assert len(OPERATIONS) > len(SCOPED)  # GET /api/organizations lists only the user's own


@pytest.mark.parametrize(("method", "route"), SCOPED, ids=[f"{m} {r}" for m, r in SCOPED])
def test_a_member_of_org_a_gets_404_for_every_object_of_org_b(
    method: str,
    route: str,
    token: str,
    assessment: Assessment,
    org_b: tuple[Organization, Assessment],
    client: Client,
) -> None:
    # The token is org A's owner's: the highest role there.
    before = _snapshot(org_b[1])
    response = _call(client, method, _url(route, *org_b), token, body=_body(method, route))
    _error(response, 404, "not_found")
    assert b"Other Org B" not in response.content
    assert _snapshot(org_b[1]) == before


@pytest.mark.parametrize(("method", "route"), SCOPED, ids=[f"{m} {r}" for m, r in SCOPED])
def test_the_same_operations_answer_a_member_of_the_organization(
    method: str, route: str, token: str, assessment: Assessment, client: Client
) -> None:
    """Guards the test above: an operation that answered 404 to everyone would pass it."""
    url = _url(route, assessment.organization, assessment)
    response = _call(client, method, url, token, body=_body(method, route))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(("method", "route"), SCOPED, ids=[f"{m} {r}" for m, r in SCOPED])
def test_an_object_id_that_does_not_exist_is_not_found_either(
    method: str, route: str, token: str, assessment: Assessment, client: Client
) -> None:
    missing = Organization(pk=10**9), Assessment(pk=10**9)
    response = _call(client, method, _url(route, *missing), token, body=_body(method, route))
    _error(response, 404, "not_found")


def test_the_organization_list_shows_only_the_users_own_organizations(
    token: str, organization: Organization, org_b: tuple[Organization, Assessment], client: Client
) -> None:
    response = _call(client, "GET", "/api/organizations", token)
    assert response.status_code == 200
    assert [(o["id"], o["name"], o["role"]) for o in response.json()] == [
        (organization.pk, "Northside Clinic", "owner")
    ]


# --- Reads -----------------------------------------------------------------------------------


def test_a_viewer_can_read_the_organization_and_its_assessments(
    make_user: MakeUser, assessment: Assessment, client: Client
) -> None:
    organization = assessment.organization
    viewer = _member_token(make_user, organization, Role.VIEWER)

    response = _call(client, "GET", f"/api/organizations/{organization.pk}", viewer)
    assert response.json() | {"created_at": None} == {
        "id": organization.pk,
        "name": "Northside Clinic",
        "parent_id": None,
        "role": "viewer",
        "created_at": None,
    }
    response = _call(client, "GET", f"/api/organizations/{organization.pk}/assessments", viewer)
    assert [(a["id"], a["name"], a["version"]) for a in response.json()] == [
        (assessment.pk, "2026 self-assessment", 1)
    ]


def test_an_assessment_carries_the_cores_score_summary(
    owner: User, assessment: Assessment, token: str, client: Client
) -> None:
    services.record_answer(owner, assessment, 1, SUB_ID, {"status": "implemented"})
    response = _call(client, "GET", f"/api/assessments/{assessment.pk}", token)

    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    body = response.json()
    document = selectors.document_of(Assessment.objects.get(pk=assessment.pk)).assessment
    expected = score(default_catalog(), document)
    assert body["organization"] == {"id": assessment.organization.pk, "name": "Northside Clinic"}
    assert (body["tier"], body["date"], body["version"]) == (
        "small",
        document.assessment.date.isoformat(),
        2,
    )
    summary = body["score"]
    assert (summary["coverage"], summary["exposure"]) == (expected.coverage, expected.exposure)
    assert (summary["answered"], summary["total"]) == (1, expected.total)
    assert [t["id"] for t in summary["threats"]] == [t.id for t in expected.threats]
    assert summary["threats"][0]["residual"] == expected.threats[0].residual
    assert len(summary["practices"]) == len(expected.practices)


def test_the_answers_list_every_question_answered_or_not(
    owner: User, assessment: Assessment, token: str, client: Client
) -> None:
    services.record_answer(
        owner, assessment, 1, SUB_ID, {"status": "partial", "notes": "Half", "owner": "Sam"}
    )
    response = _call(client, "GET", f"/api/assessments/{assessment.pk}/answers", token)

    body = response.json()
    questions = selectors.questions_of(selectors.document_of(assessment))
    assert body["version"] == 2
    assert [a["sub_practice_id"] for a in body["answers"]] == [sp.id for sp in questions]
    assert body["answers"][0] == {
        "sub_practice_id": SUB_ID,
        "title": questions[0].title,
        "status": "partial",
        "justification": None,
        "notes": "Half",
        "owner": "Sam",
        "target_date": None,
        "in_place_since": None,
        "evidence": [],
    }
    assert {a["status"] for a in body["answers"][1:]} == {None}


def test_the_plan_is_the_cores_plan(assessment: Assessment, token: str, client: Client) -> None:
    response = _call(client, "GET", f"/api/assessments/{assessment.pk}/plan", token)

    body = response.json()
    expected = build_plan(default_catalog(), selectors.document_of(assessment).assessment)
    assert [a["id"] for a in body["actions"]] == [a.id for a in expected.actions]
    assert [p["key"] for p in body["phases"]] == [p.key for p in expected.phases]
    assert body["actions"][0]["kind"] == "find_out"  # nothing is answered yet


def test_a_question_the_assessment_does_not_ask_is_404(
    assessment: Assessment, token: str, client: Client
) -> None:
    _error(_call(client, "GET", _answers_url(assessment, "7.L.A"), token), 404, "not_found")
    before = _snapshot(assessment)
    _error(_call(client, "PUT", _answers_url(assessment, "7.L.A"), token), 404, "not_found")
    assert _snapshot(assessment) == before


# --- Writes ----------------------------------------------------------------------------------


def test_a_contributor_saves_an_answer_through_the_audited_service(
    make_user: MakeUser, assessment: Assessment, client: Client
) -> None:
    token = _member_token(make_user, assessment.organization, Role.CONTRIBUTOR)
    contributor = User.objects.get(username="member-contributor")
    Assignment.objects.create(assessment=assessment, sub_id=SUB_ID, user=contributor)
    body = {
        "status": "implemented",
        "notes": "  MFA on mail  ",
        "owner": "Sam",
        "target_date": "2027-01-31",
        "in_place_since": "2025-01-01",
        "evidence": ["TICKET-12"],
    }
    response = _call(
        client, "PUT", _answers_url(assessment), token, body=body, headers={"If-Match": '"1"'}
    )

    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    assert response.json()["version"] == 2
    assert response.json()["answer"]["notes"] == "MFA on mail"
    assessment.refresh_from_db()
    answer = selectors.document_of(assessment).assessment.answer(SUB_ID)
    assert (answer.status, answer.notes, answer.owner, answer.evidence) == (
        "implemented",
        "MFA on mail",
        "Sam",
        ("TICKET-12",),
    )
    entry = AuditEntry.objects.get(action="answer")
    assert entry.user.username == "member-contributor"
    assert entry.after["version"] == 2


def test_a_put_replaces_the_answer_so_a_field_left_out_is_removed(
    owner: User, assessment: Assessment, token: str, client: Client
) -> None:
    services.record_answer(owner, assessment, 1, SUB_ID, {"status": "partial", "notes": "x"})
    body = {"status": "partial", "version": 2}
    response = _call(client, "PUT", _answers_url(assessment), token, body=body)
    assert response.json()["answer"]["notes"] is None
    assessment.refresh_from_db()
    assert selectors.document_of(assessment).assessment.answer(SUB_ID).notes is None


def test_a_put_that_changes_nothing_saves_nothing(
    assessment: Assessment, token: str, client: Client
) -> None:
    before = _snapshot(assessment)
    body = {"status": None, "version": 1}
    response = _call(client, "PUT", _answers_url(assessment), token, body=body)
    assert (response.status_code, response.json()["version"]) == (200, 1)
    assert _snapshot(assessment) == before


def test_a_viewer_gets_403_on_put_and_nothing_changes(
    make_user: MakeUser, assessment: Assessment, client: Client
) -> None:
    viewer = _member_token(make_user, assessment.organization, Role.VIEWER)
    before = _snapshot(assessment)
    error = _error(_call(client, "PUT", _answers_url(assessment), viewer), 403, "forbidden")
    assert "Viewer" in error["message"]
    assert _snapshot(assessment) == before


@pytest.mark.parametrize("how", ["If-Match", "W/ If-Match", "version field"])
def test_a_stale_version_is_409_and_nothing_changes(
    how: str, owner: User, assessment: Assessment, token: str, client: Client
) -> None:
    services.record_answer(owner, assessment, 1, SUB_ID, {"status": "planned"})
    before = _snapshot(assessment)
    body = {"status": "implemented"}
    headers = {}
    if how == "version field":
        body["version"] = 1
    else:
        headers["If-Match"] = 'W/"1"' if how.startswith("W/") else '"1"'

    response = _call(client, "PUT", _answers_url(assessment), token, body=body, headers=headers)

    error = _error(response, 409, "conflict")
    assert "version 2" in error["message"]
    assert response["ETag"] == '"2"'
    assert _snapshot(assessment) == before


def test_a_put_without_any_version_is_428(
    assessment: Assessment, token: str, client: Client
) -> None:
    before = _snapshot(assessment)
    body = {"status": "implemented"}
    response = _call(client, "PUT", _answers_url(assessment), token, body=body)
    _error(response, 428, "version_required")
    assert _snapshot(assessment) == before


@pytest.mark.parametrize(
    ("body", "headers", "where"),
    [
        ({"status": "done", "version": 1}, {}, "status"),
        ({"status": "implemented", "version": 1, "colour": "red"}, {}, "colour"),
        ({"status": "implemented", "target_date": "soon", "version": 1}, {}, "target_date"),
        ({"status": "implemented", "evidence": ["x" * 501], "version": 1}, {}, "evidence.0"),
        ({"status": "implemented"}, {"If-Match": "latest"}, "header.If-Match"),
        ({"status": "implemented", "version": 2}, {"If-Match": '"1"'}, "version"),
    ],
)
def test_a_malformed_request_is_422_naming_the_field(
    body: dict[str, Any],
    headers: dict[str, str],
    where: str,
    assessment: Assessment,
    token: str,
    client: Client,
) -> None:
    before = _snapshot(assessment)
    response = _call(client, "PUT", _answers_url(assessment), token, body=body, headers=headers)
    error = _error(response, 422, "invalid")
    assert where in [p["where"] for p in error["problems"]]
    assert _snapshot(assessment) == before


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"status": "not_applicable"}, f"answers.{SUB_ID}"),
        ({"status": "planned", "in_place_since": "2025-01-01"}, f"answers.{SUB_ID}"),
        ({"status": "implemented", "evidence": ["  "]}, f"answers.{SUB_ID}.evidence.0"),
    ],
)
def test_an_answer_the_core_refuses_is_422_with_its_problems_and_nothing_changes(
    body: dict[str, Any], where: str, assessment: Assessment, token: str, client: Client
) -> None:
    before = _snapshot(assessment)
    response = _call(client, "PUT", _answers_url(assessment), token, body=body | {"version": 1})
    error = _error(response, 422, "invalid")
    assert where in [p["where"] for p in error["problems"]], error
    assert all(p["line"] for p in error["problems"])
    assert _snapshot(assessment) == before


def test_revoking_a_token_takes_effect_on_the_next_request(
    owner: User, assessment: Assessment, client: Client
) -> None:
    row, token = create_api_token(owner, "ci")
    assert _call(client, "GET", _answers_url(assessment), token).status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    before = _snapshot(assessment)
    _error(_call(client, "PUT", _answers_url(assessment), token), 401, "unauthorized")
    assert _snapshot(assessment) == before


# --- Action items and the contributor rule -----------------------------------------------------


def _items_url(assessment: Assessment, sub_id: str | None = None) -> str:
    base = f"/api/assessments/{assessment.pk}/action-items"
    return f"{base}/{sub_id}" if sub_id else base


def _tracking(assessment: Assessment) -> list[tuple[str, str | None, Any, str, int]]:
    return [
        (i.sub_id, i.owner.username if i.owner else None, i.due_date, i.status, i.version)
        for i in ActionItem.objects.filter(assessment=assessment).select_related("owner")
    ]


def test_the_action_items_are_the_plans_items_with_their_tracking(
    owner: User, assessment: Assessment, token: str, client: Client
) -> None:
    plan_services.update_action_item(owner, assessment, SUB_ID, 1, {"status": "blocked"})
    plan_services.add_comment(owner, assessment, SUB_ID, "Waiting for the vendor")

    response = _call(client, "GET", _items_url(assessment), token)

    assert response.status_code == 200, response.content
    body = response.json()
    expected = build_plan(default_catalog(), selectors.document_of(assessment).assessment)
    assert [i["sub_practice_id"] for i in body["items"]] == [a.id for a in expected.actions]
    tracked = next(i for i in body["items"] if i["sub_practice_id"] == SUB_ID)
    assert tracked | {"planned_date": None} == {
        "sub_practice_id": SUB_ID,
        "title": "Email System Configuration",
        "action": "Find out: Email System Configuration",
        "phase": "30d",
        "owner": None,
        "due_date": None,
        "planned_date": None,
        "status": "blocked",
        "overdue": False,
        "comments": 1,
        "version": 2,
    }
    untracked = next(i for i in body["items"] if i["sub_practice_id"] == "1.S.B")
    assert (untracked["status"], untracked["version"], untracked["comments"]) == ("to_do", 1, 0)


def test_an_assessor_puts_an_action_item_and_it_is_audited(
    make_user: MakeUser, assessment: Assessment, client: Client
) -> None:
    token = _member_token(make_user, assessment.organization, Role.ASSESSOR)
    body = {
        "owner": "olivia-owner",
        "due_date": "2031-01-31",
        "status": "in_progress",
        "version": 1,
    }

    response = _call(client, "PUT", _items_url(assessment, SUB_ID), token, body=body)

    assert response.status_code == 200, response.content
    assert response.json()["owner"] == "olivia-owner"
    assert response.json()["version"] == 2
    assert _tracking(assessment) == [
        (SUB_ID, "olivia-owner", dt.date(2031, 1, 31), "in_progress", 2)
    ]
    entry = AuditEntry.objects.get(action="track")
    assert entry.user.username == "member-assessor"
    assert entry.after == {
        "owner": "olivia-owner",
        "due_date": "2031-01-31",
        "status": "in_progress",
        "version": 2,
    }


def test_a_stale_action_item_version_is_409_and_nothing_changes(
    owner: User, assessment: Assessment, token: str, client: Client
) -> None:
    plan_services.update_action_item(owner, assessment, SUB_ID, 1, {"status": "in_progress"})
    before = _snapshot(assessment), _tracking(assessment)
    body = {"status": "done", "version": 1}

    response = _call(client, "PUT", _items_url(assessment, SUB_ID), token, body=body)

    error = _error(response, 409, "conflict")
    assert "someone else changed this item" in error["message"]
    assert "version 2" in error["message"]
    assert (_snapshot(assessment), _tracking(assessment)) == before


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_a_viewer_or_a_contributor_without_the_item_gets_403_and_nothing_changes(
    role: Role, make_user: MakeUser, assessment: Assessment, client: Client
) -> None:
    token = _member_token(make_user, assessment.organization, role)
    before = _snapshot(assessment)
    body = {"status": "done", "version": 1}
    _error(_call(client, "PUT", _items_url(assessment, SUB_ID), token, body=body), 403, "forbidden")
    assert _snapshot(assessment) == before
    assert not ActionItem.objects.exists()


def test_the_contributor_an_item_is_given_to_may_put_its_status_only(
    owner: User, make_user: MakeUser, assessment: Assessment, client: Client
) -> None:
    token = _member_token(make_user, assessment.organization, Role.CONTRIBUTOR)
    sam = User.objects.get(username="member-contributor")
    plan_services.update_action_item(owner, assessment, SUB_ID, 1, {"owner": sam})
    url = _items_url(assessment, SUB_ID)

    done = {"owner": "member-contributor", "status": "done", "version": 2}
    assert _call(client, "PUT", url, token, body=done).status_code == 200
    moved = done | {"due_date": "2031-01-01", "version": 3}
    _error(_call(client, "PUT", url, token, body=moved), 403, "forbidden")
    assert _tracking(assessment) == [(SUB_ID, "member-contributor", None, "done", 3)]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"status": "finished", "version": 1}, "status"),
        ({"status": "done"}, "version"),
        ({"status": "done", "version": 1, "owner": "nobody-here"}, "owner"),
        ({"status": "done", "version": 1, "due_date": "soon"}, "due_date"),
    ],
)
def test_a_malformed_action_item_is_422_naming_the_field(
    body: dict[str, Any], where: str, assessment: Assessment, token: str, client: Client
) -> None:
    response = _call(client, "PUT", _items_url(assessment, SUB_ID), token, body=body)
    error = _error(response, 422, "invalid")
    assert where in [p["where"] for p in error["problems"]]
    assert not ActionItem.objects.exists()


def test_a_sub_practice_that_is_not_in_the_plan_is_404_on_put(
    owner: User, assessment: Assessment, token: str, client: Client
) -> None:
    services.record_answer(owner, assessment, 1, SUB_ID, {"status": "implemented"})
    body = {"status": "done", "version": 1}
    for sub_id in (SUB_ID, "7.L.A"):
        response = _call(client, "PUT", _items_url(assessment, sub_id), token, body=body)
        _error(response, 404, "not_found")
    assert not ActionItem.objects.exists()


def test_a_contributor_puts_answers_only_to_questions_assigned_to_them(
    owner: User, make_user: MakeUser, assessment: Assessment, client: Client
) -> None:
    token = _member_token(make_user, assessment.organization, Role.CONTRIBUTOR)
    contributor = User.objects.get(username="member-contributor")
    plan_services.assign_question(owner, assessment, SUB_ID, contributor)
    plan_services.assign_question(owner, assessment, "1.S.C", owner)

    before = _snapshot(assessment)
    error = _error(_call(client, "PUT", _answers_url(assessment, "1.S.B"), token), 403, "forbidden")
    assert error["message"] == "This question is not assigned to you. Ask an assessor to assign it."
    error = _error(_call(client, "PUT", _answers_url(assessment, "1.S.C"), token), 403, "forbidden")
    assert error["message"] == "This question is assigned to olivia-owner."
    assert _snapshot(assessment) == before

    assert _call(client, "PUT", _answers_url(assessment, SUB_ID), token).status_code == 200
