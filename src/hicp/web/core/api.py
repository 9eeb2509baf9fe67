"""The REST API at /api/: organizations, assessments, answers and plans as JSON (django-ninja).

Rules, the same as the pages':
- every organization or assessment is obtained through scoping.py: another organization's
  object, or none at all, is 404; a role too low for the operation is 403;
- answers are written only through services.record_answer, so they are validated by the core,
  versioned and audited like answers given on the questionnaire;
- every error, whatever raised it, is one JSON shape (ErrorOut), made in ``_error`` below.
Requests are signed with an API token (api_auth.py); docs/formats.md section 7 is the contract.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import re
from typing import Annotated, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Header, NinjaAPI, Router, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import ConfigDict, StringConstraints, field_validator

from hicp.assessment.models import Answer, Status
from hicp.assessment.plan import Action, PhasePlan, build_plan
from hicp.assessment.scoring import ThreatScore, score
from hicp.assessment.store import Loaded
from hicp.catalog import SubPractice, Tier, default_catalog
from hicp.errors import AssessmentError, Problem
from hicp.web.core import plan_selectors, plan_services, selectors, services
from hicp.web.core.api_auth import BearerToken
from hicp.web.core.models import Organization
from hicp.web.core.plan_models import ActionItem
from hicp.web.core.roles import Role
from hicp.web.core.scoping import assessment_for, organization_for

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="hicp",
    version="1",
    description="HICP self-assessments of the organizations you are a member of.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,  # the interactive page would load scripts from a CDN; the schema suffices
    auth=BearerToken(),
)
router = Router()

# --- Schemas -------------------------------------------------------------------------------


class ProblemOut(Schema):
    message: str
    line: int | None = None  # 1-based line in the assessment file (as exported)
    where: str | None = None  # dotted path: answers.7.M.D.status, or a request field


class ErrorBody(Schema):
    code: str
    message: str
    problems: list[ProblemOut] = Field(default_factory=list)


class ErrorOut(Schema):
    error: ErrorBody


class OrganizationOut(Schema):
    id: int
    name: str
    parent_id: int | None
    role: Role
    created_at: dt.datetime


class AssessmentListItem(Schema):
    id: int
    name: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class OrganizationRef(Schema):
    id: int
    name: str


class PracticeSummary(Schema):
    id: str
    name: str
    coverage: float | None  # 0-1; None: not scored
    counted: int
    answered: int
    total: int


class ScoreSummary(Schema):
    catalog_version: str
    coverage: float | None
    exposure: float
    answered: int
    total: int
    practices: list[PracticeSummary]
    threats: list[ThreatScore]


class AssessmentOut(Schema):
    id: int
    name: str
    version: int
    organization: OrganizationRef
    organization_name: str  # as written in the assessment file
    tier: Tier
    include_tiers: list[Tier]
    date: dt.date
    assessor: str | None
    catalog_version: str
    warnings: list[str]
    score: ScoreSummary
    updated_at: dt.datetime


class AnswerOut(Schema):
    sub_practice_id: str
    title: str
    status: Status | None
    justification: str | None
    notes: str | None
    owner: str | None
    target_date: dt.date | None
    in_place_since: dt.date | None
    evidence: list[str]


class AnswersOut(Schema):
    assessment_id: int
    version: int
    answers: list[AnswerOut]


class AnswerSaved(Schema):
    version: int
    answer: AnswerOut


class PlanOut(Schema):
    assessment_id: int
    version: int
    phases: list[PhasePlan]
    actions: list[Action]


class ActionItemOut(Schema):
    sub_practice_id: str
    title: str
    action: str  # what to do, as the reports say it: "Put in place: Inventory"
    phase: str
    owner: str | None  # username of the person it is given to
    due_date: dt.date | None  # set by someone; null: planned_date applies
    planned_date: dt.date  # the plan's date: the answer's target date, else the phase's end
    status: ActionItem.Status
    overdue: bool
    comments: int
    version: int  # 1 until someone changes the item


class ActionItemsOut(Schema):
    assessment_id: int
    items: list[ActionItemOut]


class ActionItemIn(Schema):
    """The whole tracking of one item: a field left out is cleared (PUT replaces)."""

    model_config = ConfigDict(extra="forbid")

    owner: str | None = Field(None, max_length=150, description="username, or null")
    due_date: dt.date | None = None
    status: ActionItem.Status
    version: int = Field(ge=1, description="the item's version you built on")


ANSWER_FIELDS = (
    "status",
    "justification",
    "notes",
    "owner",
    "target_date",
    "in_place_since",
    "evidence",
)


class AnswerIn(Schema):
    """The whole answer: a field left out is removed (PUT replaces)."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None  # null: not answered
    justification: str | None = Field(None, max_length=2000)
    notes: str | None = Field(None, max_length=5000)
    owner: str | None = Field(None, max_length=200)
    target_date: dt.date | None = None
    in_place_since: dt.date | None = None
    evidence: list[Annotated[str, StringConstraints(max_length=500)]] = Field(
        default_factory=list, max_length=100
    )
    version: int | None = Field(None, ge=1, description="or send If-Match")

    @field_validator("justification", "notes", "owner")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    @field_validator("evidence")
    @classmethod
    def _stripped(cls, value: list[str]) -> list[str]:
        return [item.strip() for item in value]


# --- Errors: one shape for all -------------------------------------------------------------

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    428: "version_required",
    429: "throttled",
    500: "server_error",
}
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 409: ErrorOut, 422: ErrorOut, 428: ErrorOut}


def _error(
    request: HttpRequest, status: int, message: str, problems: list[ProblemOut] | None = None
) -> HttpResponse:
    body = ErrorOut(
        error=ErrorBody(code=CODES.get(status, "error"), message=message, problems=problems or [])
    )
    return api.create_response(request, body.model_dump(), status=status)


def _core_problem(problem: Problem) -> ProblemOut:
    return ProblemOut(message=problem.message, line=problem.line, where=problem.where)


def _request_problem(error: dict[str, Any]) -> ProblemOut:
    # ninja places body fields under ("body", <parameter name>, field...); a body field is
    # named as in the body, a path, query or header value with its source first.
    loc = [str(part) for part in error.get("loc", ())]
    where = loc[2:] if loc[:1] == ["body"] else loc
    return ProblemOut(message=str(error.get("msg", "invalid")), where=".".join(where) or None)


@api.exception_handler(AssessmentError)
def _assessment_error(request: HttpRequest, exc: AssessmentError) -> HttpResponse:
    return _error(request, 422, exc.summary, [_core_problem(p) for p in exc.problems])


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [_request_problem(e) for e in exc.errors]
    return _error(request, 422, "the request is not valid; nothing was saved", problems)


@api.exception_handler(services.ConflictError)
def _conflict(request: HttpRequest, exc: services.ConflictError) -> HttpResponse:
    response = _error(request, 409, f"{exc.summary} (it is now at version {exc.current_version})")
    response["ETag"] = _etag(exc.current_version)
    return response


@api.exception_handler(plan_services.ItemConflictError)
def _item_conflict(request: HttpRequest, exc: plan_services.ItemConflictError) -> HttpResponse:
    return _error(request, 409, f"{exc.summary} (it is now at version {exc.current_version})")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or "not found")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or "your role does not allow this")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    response = _error(request, exc.status_code, exc.message)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="hicp"'
    return response


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request failed: %s %s", request.method, request.path)
    return _error(request, 500, "something went wrong on our side; nothing was saved")


# --- Helpers -------------------------------------------------------------------------------


def _user(request: HttpRequest) -> AbstractBaseUser:
    user: AbstractBaseUser = request.auth  # type: ignore[attr-defined]  # set by BearerToken
    return user


def _etag(version: int) -> str:
    return f'"{version}"'


def _question(loaded: Loaded, sub_id: str) -> SubPractice:
    """One of the assessment's questions; 404 for any other ID, as the questionnaire does."""
    for sp in selectors.questions_of(loaded):
        if sp.id == sub_id:
            return sp
    raise Http404("This question is not part of this assessment.")


def _answer_out(loaded: Loaded, sp: SubPractice) -> AnswerOut:
    answer = loaded.assessment.answer(sp.id).model_dump(include=set(ANSWER_FIELDS))
    return AnswerOut(sub_practice_id=sp.id, title=sp.title, **answer)


def _expected_version(if_match: str | None, body_version: int | None) -> int:
    """The version the client built on, from If-Match ("3", W/"3" or 3) or the body."""
    header_version = None
    if if_match is not None:
        raw = if_match.strip().removeprefix("W/").strip('"')
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError(
                [{"loc": ("header", "If-Match"), "msg": 'send the version as "N" (from ETag)'}]
            )
        header_version = int(raw)
    if header_version is not None and body_version is not None and header_version != body_version:
        raise ValidationError(
            [{"loc": ("body", "payload", "version"), "msg": "differs from If-Match"}]
        )
    version = header_version or body_version
    if version is None:
        raise HttpError(
            428,
            'send the assessment version you built on, in If-Match or as "version"; '
            "GET the assessment or its answers to learn it",
        )
    return version


def _changes(current: Answer, payload: AnswerIn) -> dict[str, Any]:
    """Only the fields that differ, so the stored YAML keeps its layout for the rest."""
    wanted = payload.model_dump(include=set(ANSWER_FIELDS))
    wanted["evidence"] = tuple(wanted["evidence"])
    return {name: value for name, value in wanted.items() if getattr(current, name) != value}


# --- Operations ----------------------------------------------------------------------------


@router.get(
    "/organizations",
    response={200: list[OrganizationOut], 401: ErrorOut},
    url_name="organizations",
)
def list_organizations(request: HttpRequest) -> list[OrganizationOut]:
    """The organizations you are a member of, with your role in each."""
    return [
        _organization_out(m.organization, Role(m.role))
        for m in selectors.memberships_of(_user(request))
    ]


def _organization_out(organization: Organization, role: Role) -> OrganizationOut:
    return OrganizationOut(
        id=organization.pk,
        name=organization.name,
        parent_id=organization.parent_id,
        role=role,
        created_at=organization.created_at,
    )


@router.get(
    "/organizations/{int:org_id}",
    response={200: OrganizationOut, **READ_ERRORS},
    url_name="organization",
)
def get_organization(request: HttpRequest, org_id: int) -> OrganizationOut:
    user = _user(request)
    organization = organization_for(user, org_id, minimum_role=Role.VIEWER)
    return _organization_out(organization, selectors.role_in(user, organization))


@router.get(
    "/organizations/{int:org_id}/assessments",
    response={200: list[AssessmentListItem], **READ_ERRORS},
    url_name="organization-assessments",
)
def list_assessments(request: HttpRequest, org_id: int) -> list[AssessmentListItem]:
    """The organization's assessments, most recently changed first."""
    organization = organization_for(_user(request), org_id, minimum_role=Role.VIEWER)
    return [AssessmentListItem.model_validate(a) for a in selectors.assessments_of(organization)]


@router.get(
    "/assessments/{int:assessment_id}",
    response={200: AssessmentOut, **READ_ERRORS},
    url_name="assessment",
)
def get_assessment(
    request: HttpRequest, response: HttpResponse, assessment_id: int
) -> AssessmentOut:
    """The assessment with the core's score: coverage, exposure and each threat's working."""
    assessment = assessment_for(_user(request), assessment_id, minimum_role=Role.VIEWER)
    loaded = selectors.document_of(assessment)
    document = loaded.assessment
    response["ETag"] = _etag(assessment.version)
    return AssessmentOut(
        id=assessment.pk,
        name=assessment.name,
        version=assessment.version,
        organization=OrganizationRef(
            id=assessment.organization.pk, name=assessment.organization.name
        ),
        organization_name=document.organization.name,
        tier=document.tier,
        include_tiers=list(document.organization.include_tiers),
        date=document.assessment.date,
        assessor=document.assessment.assessor,
        catalog_version=document.assessment.catalog_version,
        warnings=list(loaded.warnings),
        score=ScoreSummary.model_validate(score(default_catalog(), document).model_dump()),
        updated_at=assessment.updated_at,
    )


@router.get(
    "/assessments/{int:assessment_id}/answers",
    response={200: AnswersOut, **READ_ERRORS},
    url_name="assessment-answers",
)
def list_answers(request: HttpRequest, response: HttpResponse, assessment_id: int) -> AnswersOut:
    """Every question of the assessment in catalog order, answered or not (status null)."""
    assessment = assessment_for(_user(request), assessment_id, minimum_role=Role.VIEWER)
    loaded = selectors.document_of(assessment)
    response["ETag"] = _etag(assessment.version)
    return AnswersOut(
        assessment_id=assessment.pk,
        version=assessment.version,
        answers=[_answer_out(loaded, sp) for sp in selectors.questions_of(loaded)],
    )


@router.get(
    "/assessments/{int:assessment_id}/answers/{sub_practice_id}",
    response={200: AnswerSaved, **READ_ERRORS},
    url_name="assessment-answer",
)
def get_answer(
    request: HttpRequest, response: HttpResponse, assessment_id: int, sub_practice_id: str
) -> AnswerSaved:
    assessment = assessment_for(_user(request), assessment_id, minimum_role=Role.VIEWER)
    loaded = selectors.document_of(assessment)
    answer = _answer_out(loaded, _question(loaded, sub_practice_id))
    response["ETag"] = _etag(assessment.version)
    return AnswerSaved(version=assessment.version, answer=answer)


@router.put(
    "/assessments/{int:assessment_id}/answers/{sub_practice_id}",
    response={200: AnswerSaved, **WRITE_ERRORS},
    url_name="assessment-answer-put",
)
def put_answer(
    request: HttpRequest,
    response: HttpResponse,
    assessment_id: int,
    sub_practice_id: str,
    payload: AnswerIn,
    if_match: str | None = Header(None, alias="If-Match"),
) -> AnswerSaved:
    """Replace one answer, if nobody saved the assessment since the version you send.

    Stale version: 409 and nothing saved. A change the core refuses (for example
    not_applicable without a justification): 422 listing each problem.
    """
    user = _user(request)
    assessment = assessment_for(user, assessment_id, minimum_role=Role.CONTRIBUTOR)
    expected = _expected_version(if_match, payload.version)
    loaded = selectors.document_of(assessment)
    question = _question(loaded, sub_practice_id)
    refusal = plan_services.may_answer(user, assessment, sub_practice_id)
    if refusal is not None:
        raise PermissionDenied(refusal)
    changes = _changes(loaded.assessment.answer(sub_practice_id), payload)
    if assessment.version != expected:
        raise services.ConflictError(assessment.version)
    if changes:
        assessment, loaded = services.record_answer(
            user, assessment, expected, sub_practice_id, changes
        )
    response["ETag"] = _etag(assessment.version)
    return AnswerSaved(version=assessment.version, answer=_answer_out(loaded, question))


@router.get(
    "/assessments/{int:assessment_id}/plan",
    response={200: PlanOut, **READ_ERRORS},
    url_name="assessment-plan",
)
def get_plan(request: HttpRequest, response: HttpResponse, assessment_id: int) -> PlanOut:
    """The core's prioritised, phased action plan: every gap, in plan order."""
    assessment = assessment_for(_user(request), assessment_id, minimum_role=Role.VIEWER)
    plan = build_plan(default_catalog(), selectors.document_of(assessment).assessment)
    response["ETag"] = _etag(assessment.version)
    return PlanOut(
        assessment_id=assessment.pk,
        version=assessment.version,
        phases=list(plan.phases),
        actions=list(plan.actions),
    )


def _action_item_out(item: plan_selectors.PlanItem) -> ActionItemOut:
    return ActionItemOut(
        sub_practice_id=item.sub_id,
        title=item.action.title,
        action=item.label,
        phase=item.action.phase,
        owner=item.owner.get_username() if item.owner else None,
        due_date=item.tracking.due_date if item.tracking else None,
        planned_date=item.planned_date,
        status=ActionItem.Status(item.status),
        overdue=item.overdue,
        comments=item.comments,
        version=item.version,
    )


@router.get(
    "/assessments/{int:assessment_id}/action-items",
    response={200: ActionItemsOut, **READ_ERRORS},
    url_name="assessment-action-items",
)
def list_action_items(request: HttpRequest, assessment_id: int) -> ActionItemsOut:
    """The plan's items in plan order, each with who does it, by when and its status."""
    user = _user(request)
    assessment = assessment_for(user, assessment_id, minimum_role=Role.VIEWER)
    items = plan_services.plan_for(user, assessment)
    return ActionItemsOut(
        assessment_id=assessment.pk, items=[_action_item_out(item) for item in items]
    )


@router.put(
    "/assessments/{int:assessment_id}/action-items/{sub_practice_id}",
    response={200: ActionItemOut, **WRITE_ERRORS},
    url_name="assessment-action-item-put",
)
def put_action_item(
    request: HttpRequest, assessment_id: int, sub_practice_id: str, payload: ActionItemIn
) -> ActionItemOut:
    """Replace one item's owner, due date and status, if nobody changed it since ``version``.

    Assessors and above change everything; the person an item is given to changes only its
    status (send the other fields as they are). Stale version: 409, nothing saved.
    """
    user = _user(request)
    assessment = assessment_for(user, assessment_id, minimum_role=Role.CONTRIBUTOR)
    item = plan_selectors.plan_item(assessment, sub_practice_id)
    if item is None:
        raise Http404("This sub-practice is not in this assessment's action plan.")
    owner = None
    if payload.owner is not None:
        people = plan_selectors.owner_choices(assessment.organization, item.owner)
        owner = people.filter(username=payload.owner).first()
        if owner is None:
            raise ValidationError(
                [
                    {
                        "loc": ("body", "payload", "owner"),
                        "msg": "no one by that username can be given work in this organization",
                    }
                ]
            )
    plan_services.update_action_item(
        user,
        assessment,
        sub_practice_id,
        payload.version,
        {"owner": owner, "due_date": payload.due_date, "status": payload.status.value},
    )
    # Tracking never takes an item out of the plan, so the fallback is never used.
    return _action_item_out(plan_selectors.plan_item(assessment, sub_practice_id) or item)


# --- Everything else is an error in the same shape ------------------------------------------

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_PARAM = re.compile(r"{(?:\w+:)?(\w+)}")


def _refuse_other_methods(router: Router) -> None:
    """A method a path does not take is 405 in the error shape (ninja's own is plain text).

    It answers before authentication: it depends on the path alone, never on an object.
    """
    for route, view in list(router.path_operations.items()):
        allowed = sorted({m for op in view.operations for m in op.methods})
        others = [m for m in METHODS if m not in allowed]
        router.add_api_operation(
            route, others, _refusal(route, allowed), auth=None, include_in_schema=False
        )


def _refusal(route: str, allowed: list[str]) -> Any:
    def refuse(request: HttpRequest, **ids: Any) -> None:
        raise HttpError(405, f"this endpoint takes {', '.join(allowed)}")

    # ninja reads a view's parameters from its signature: declare the route's own.
    keyword = inspect.Parameter.KEYWORD_ONLY
    refuse.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            *(inspect.Parameter(n, keyword, annotation=Any) for n in _PARAM.findall(route)),
        ]
    )
    return refuse


_refuse_other_methods(router)


@router.api_operation(list(METHODS), "/", auth=None, include_in_schema=False, url_name="index")
def index(request: HttpRequest) -> None:
    raise Http404("no such API endpoint; /api/openapi.json lists them")


@router.api_operation(
    list(METHODS), "/{path:rest}", auth=None, include_in_schema=False, url_name="unknown"
)
def unknown(request: HttpRequest, rest: str) -> None:
    raise Http404("no such API endpoint; /api/openapi.json lists them")


api.add_router("/", router)
