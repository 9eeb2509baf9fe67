"""The OSCAL report: valid OSCAL 1.2.1 assessment-results that say what the context says.

Validation uses compliance-trestle's pydantic models of OSCAL (generated from NIST's JSON schema),
pinned in the dev dependencies, so the check runs offline.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import trestle.oscal
from trestle.oscal.assessment_results import AssessmentResults

from hicp.assessment.models import Assessment, Status
from hicp.catalog import Catalog, Tier
from hicp.reports.context import ReportContext, build_context
from hicp.reports.oscal_report import OSCAL_VERSION, control_token, render
from hicp.reports.wording import pct
from tests.conftest import assessment_data
from tests.reports.conftest import GENERATED_ON, example_context, items_of


def _doc(context: ReportContext) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(context).decode("utf-8"))
    return data


def _result(context: ReportContext) -> dict[str, Any]:
    result: dict[str, Any] = _doc(context)["assessment-results"]["results"][0]
    return result


def _prop(obj: dict[str, Any], name: str) -> str | None:
    return next((p["value"] for p in obj.get("props", []) if p["name"] == name), None)


def _walk(value: Any, key: str) -> Iterator[Any]:
    """Every value stored under ``key`` anywhere in the document."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, key)


def test_every_example_is_valid_oscal_assessment_results(context: ReportContext) -> None:
    doc = _doc(context)
    assert list(doc) == ["assessment-results"]
    AssessmentResults.model_validate(doc["assessment-results"])


def test_the_document_declares_the_oscal_version_of_the_pinned_models(
    context: ReportContext,
) -> None:
    metadata = _doc(context)["assessment-results"]["metadata"]
    assert metadata["oscal-version"] == OSCAL_VERSION == trestle.oscal.OSCAL_VERSION == "1.2.1"


def test_metadata_dates_are_the_generation_day_at_midnight_utc(context: ReportContext) -> None:
    metadata = _doc(context)["assessment-results"]["metadata"]
    stamp = dt.datetime.fromisoformat(metadata["last-modified"])
    assert stamp == dt.datetime.combine(GENERATED_ON, dt.time(), tzinfo=dt.UTC)
    assert metadata["published"] == metadata["last-modified"]


def test_metadata_names_the_organization_hicp_edition_and_catalog(
    context: ReportContext,
) -> None:
    metadata = _doc(context)["assessment-results"]["metadata"]
    (party,) = metadata["parties"]
    assert party == {
        "uuid": party["uuid"],
        "type": "organization",
        "name": context.organization.name,
    }
    assert _prop(metadata, "hicp-edition") == context.organization.hicp_edition
    assert _prop(metadata, "catalog-version") == context.organization.catalog_version


def test_the_assessment_plan_reference_resolves_to_a_back_matter_resource(
    context: ReportContext,
) -> None:
    ar = _doc(context)["assessment-results"]
    href = ar["import-ap"]["href"]
    assert href.startswith("#")
    assert [r["uuid"] for r in ar["back-matter"]["resources"]] == [href[1:]]
    assert "not published separately" in ar["import-ap"]["remarks"]


def test_reviewed_controls_list_every_in_scope_sub_practice_as_a_token(
    context: ReportContext,
) -> None:
    (selection,) = _result(context)["reviewed-controls"]["control-selections"]
    ids = [c["control-id"] for c in selection["include-controls"]]
    assert ids == [control_token(i.id) for i in items_of(context)]
    assert len(set(ids)) == len(ids) == context.score.total
    assert control_token("10.L.B") == "hicp-10.l.b"


def test_there_is_one_finding_per_in_scope_sub_practice(context: ReportContext) -> None:
    findings = _result(context)["findings"]
    assert [f["target"]["target-id"] for f in findings] == [
        control_token(i.id) for i in items_of(context)
    ]
    assert [_prop(f, "hicp-id") for f in findings] == [i.id for i in items_of(context)]
    assert {f["target"]["type"] for f in findings} == {"objective-id"}


def test_only_implemented_sub_practices_are_satisfied(context: ReportContext) -> None:
    findings = _result(context)["findings"]
    state = {_prop(f, "hicp-id"): f["target"].get("status", {}).get("state") for f in findings}
    satisfied = [sid for sid, s in state.items() if s == "satisfied"]
    implemented = [i.id for i in items_of(context) if i.status is Status.IMPLEMENTED]
    assert satisfied == implemented and implemented
    for finding, item in zip(findings, items_of(context), strict=True):
        assert _prop(finding, "hicp-status") == (item.status.value if item.status else "unanswered")
        # Not applicable is neither satisfied nor not satisfied; everything else is judged.
        if item.status is Status.NOT_APPLICABLE:
            assert state[item.id] is None, item.id
        elif item.status is not Status.IMPLEMENTED:
            assert state[item.id] == "not-satisfied", item.id


def test_there_is_one_interview_observation_per_answered_sub_practice(
    context: ReportContext,
) -> None:
    observations = _result(context)["observations"]
    answered = [i for i in items_of(context) if i.status is not None]
    assert [_prop(o, "hicp-id") for o in observations] == [i.id for i in answered]
    assert len(observations) == context.score.answered
    for obs, item in zip(observations, answered, strict=True):
        assert obs["methods"] == ["INTERVIEW"]
        assert obs["description"].startswith(f"{item.status_label}.")
        evidence = [e["description"] for e in obs.get("relevant-evidence", [])]
        assert len(evidence) == len(item.evidence)


def test_findings_point_to_their_observation_and_to_open_risks(context: ReportContext) -> None:
    result = _result(context)
    observation_of = {_prop(o, "hicp-id"): o["uuid"] for o in result["observations"]}
    risk_uuids = {r["uuid"] for r in result["risks"]}
    for finding in result["findings"]:
        sid = _prop(finding, "hicp-id")
        related = [r["observation-uuid"] for r in finding.get("related-observations", [])]
        assert related == ([observation_of[sid]] if sid in observation_of else [])
        assert {r["risk-uuid"] for r in finding.get("related-risks", [])} <= risk_uuids


def test_there_is_one_risk_per_threat_with_its_exposure(context: ReportContext) -> None:
    risks = _result(context)["risks"]
    assert [_prop(r, "hicp-threat-id") for r in risks] == [t.id for t in context.score.threats]
    for risk, threat in zip(risks, context.score.threats, strict=True):
        if threat.exposure is None:  # does not apply: closed, and the statement says why
            assert _prop(risk, "exposure") == "not applicable"
            assert risk["status"] == "closed"
            assert risk["statement"].startswith("Not applicable to this organization")
            continue
        assert _prop(risk, "exposure") == pct(threat.exposure)
        assert risk["status"] == ("open" if threat.exposure > 0 else "closed")
        assert risk["title"] == threat.name


def test_every_uuid_is_unique_and_every_actor_is_the_organization(
    context: ReportContext,
) -> None:
    doc = _doc(context)
    uuids = list(_walk(doc, "uuid"))
    assert len(uuids) == len(set(uuids))
    party = doc["assessment-results"]["metadata"]["parties"][0]["uuid"]
    assert set(_walk(doc, "actor-uuid")) == {party}


def test_rendering_is_byte_identical_and_uuids_do_not_depend_on_the_generation_day(
    context: ReportContext,
) -> None:
    assert render(context) == render(context)
    later = context.model_copy(update={"generated_on": dt.date(2027, 1, 5)})
    assert list(_walk(_doc(later), "uuid")) == list(_walk(_doc(context), "uuid"))
    assert _doc(later)["assessment-results"]["metadata"]["last-modified"] == "2027-01-05T00:00:00Z"


@pytest.fixture(scope="module")
def hostile(catalog: Catalog) -> ReportContext:
    data: dict[str, Any] = assessment_data(catalog, Tier.SMALL, default="implemented")
    data["organization"]["name"] = "Evil\nClinic <script>alert(1)</script>"
    data["answers"]["1.S.A"].update(
        status="partial",
        notes="# Heading\n<img src=x onerror=alert(1)>",
        owner="  Two\nlines  ",
        evidence=["https://intranet.example/policy.pdf", "javascript:alert(1)"],
    )
    data["answers"]["2.S.A"] = {"status": "not_applicable", "justification": "No PCs\n---"}
    data["answers"]["3.S.A"] = {"status": None}  # not answered yet
    assessment = Assessment.model_validate(data)
    return build_context(catalog, assessment, generated_on=GENERATED_ON)


def test_hostile_text_still_gives_valid_oscal_with_markup_escaped(
    hostile: ReportContext,
) -> None:
    doc = _doc(hostile)
    AssessmentResults.model_validate(doc["assessment-results"])
    metadata = doc["assessment-results"]["metadata"]
    assert metadata["title"] == (
        "HICP cybersecurity assessment: Evil Clinic &lt;script&gt;alert(1)&lt;/script&gt;"
    )
    assert metadata["parties"][0]["name"] == "Evil Clinic <script>alert(1)</script>"  # plain
    markup = [*_walk(doc, "title"), *_walk(doc, "description"), *_walk(doc, "remarks")]
    assert not any("<" in text for text in markup)
    obs = next(o for o in _result(hostile)["observations"] if _prop(o, "hicp-id") == "1.S.A")
    assert _prop(obs, "owner") == "Two lines"
    assert "\\# Heading\n&lt;img" in obs["description"]
    assert obs["relevant-evidence"] == [
        {
            "href": "https://intranet.example/policy.pdf",
            "description": "https://intranet.example/policy.pdf",
        },
        {"description": "javascript:alert(1)"},  # not a link
    ]


def test_a_not_applicable_item_is_recorded_as_not_applicable_not_as_not_satisfied(
    hostile: ReportContext,
) -> None:
    finding = next(f for f in _result(hostile)["findings"] if _prop(f, "hicp-id") == "2.S.A")
    target = finding["target"]
    assert "status" not in target  # OSCAL's objective status has no "not applicable" state
    assert target["implementation-status"]["state"] == "not-applicable"
    assert "No PCs" in target["implementation-status"]["remarks"]
    assert _prop(finding, "hicp-status") == "not_applicable"
    assert "related-risks" not in finding  # what does not apply leaves no risk open
    assert "Does not apply: No PCs\n\\---" in finding["description"]


def test_the_small_clinics_medical_devices_item_is_not_applicable_in_oscal() -> None:
    context = example_context("small-clinic")
    doc = _doc(context)
    AssessmentResults.model_validate(doc["assessment-results"])
    finding = next(
        f
        for f in doc["assessment-results"]["results"][0]["findings"]
        if _prop(f, "hicp-id") == "9.S.A"
    )
    assert finding["target"]["implementation-status"]["state"] == "not-applicable"
    assert "status" not in finding["target"]
    assert "medical equipment" in finding["target"]["implementation-status"]["remarks"]


def test_borrowed_csf_references_are_marked_derived_in_finding_props(
    hostile: ReportContext,
) -> None:
    findings = {_prop(f, "hicp-id"): f for f in _result(hostile)["findings"]}
    own = [p for p in findings["1.S.A"]["props"] if p["name"] == "csf-1.1"]
    assert [p["value"] for p in own] == ["PR.DS-2", "PR.IP-1", "PR.AC-7"]
    assert all("class" not in p for p in own)
    borrowed = [p for p in findings["8.S.A"]["props"] if p["name"] == "csf-1.1"]
    assert borrowed and all(p["class"] == "derived" for p in borrowed)
    assert "RS.MI-1" in [p["value"] for p in borrowed]
    assert _prop(findings["8.S.A"], "csf-derived-from") == "8.M.B"


def test_an_unanswered_item_has_a_finding_but_no_observation(hostile: ReportContext) -> None:
    result = _result(hostile)
    finding = next(f for f in result["findings"] if _prop(f, "hicp-id") == "3.S.A")
    assert _prop(finding, "hicp-status") == "unanswered"
    assert finding["target"]["status"] == {
        "state": "not-satisfied",
        "reason": "other",
        "remarks": "Not judged: not answered.",
    }
    assert "related-observations" not in finding
    assert "3.S.A" not in [_prop(o, "hicp-id") for o in result["observations"]]
