"""The OSCAL report: the assessment as an OSCAL 1.2.1 assessment-results JSON document.

How HICP maps onto OSCAL (the places where it does not fit one to one):
- Controls: OSCAL control IDs are tokens, which must start with a letter or underscore; HICP
  sub-practice IDs start with a digit ("1.M.A"). Each becomes ``hicp-`` plus the ID in lower case
  ("hicp-1.m.a", see ``control_token``); findings and observations keep the original in an
  ``hicp-id`` prop. No OSCAL catalog of HICP is published, so the IDs reference nothing.
- Assessment plan: none is published separately. ``import-ap`` points by fragment to a
  back-matter resource that describes the self-assessment's scope and method instead.
- Findings: OSCAL's objective status is two-valued. "satisfied" only when the sub-practice is
  implemented; not implemented, partial and planned are "not-satisfied" (reason "fail"), and so
  are "not sure" and unanswered items (reason "other"): unknown is never good.
- Not applicable: OSCAL has no objective state for it, but in 1.2 a finding target's status
  is optional and its implementation-status has the documented state "not-applicable". A
  not-applicable item's finding therefore carries that implementation-status (the
  organization's justification as its remarks) and no satisfied/not-satisfied status, links to
  no risk, and says "not-applicable" in its ``hicp-status`` prop. The HICP status is kept in that
  prop for every item and, where OSCAL has the same state, in implementation-status.
- CSF references: a finding lists the sub-practice's NIST CSF 1.1 references in
  ``csf-1.1`` props; where the catalog borrows them from a medium counterpart (small items
  HICP's own mapping has not been entered for), the props carry the class "derived" and a
  ``csf-derived-from`` prop names the counterparts.
- Risks: one per HICP threat; its likelihood, impact and residual risk are a characterization
  in the project's namespace, its exposure a prop, its status "closed" only at 0% exposure.
- Methods: a self-assessment is answers to questions, so every observation's method is
  INTERVIEW and the organization itself (a party) is the origin of every observation.
Text from the assessment file goes into markup fields (titles, descriptions), which OSCAL
defines as Markdown, so it is escaped as in the Markdown report; prop values are plain strings
collapsed to one line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

from hicp.assessment.models import Status
from hicp.reports.context import ItemRow, ReportContext
from hicp.reports.markdown_report import escape
from hicp.reports.wording import pct

# The OSCAL version of the models in compliance-trestle 5.2.0, which the tests validate against
# (trestle is a development dependency only, so the number is not read from it at run time).
OSCAL_VERSION = "1.2.1"
# Namespace of the project's own prop names and risk facets. The project publishes no web
# namespace, so it is a URN; OSCAL only needs it to be a URI that keeps the names apart from NIST's.
NS = "urn:hicp:oscal"
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, NS)

IMPLEMENTATION_STATE = {
    Status.IMPLEMENTED: "implemented",
    Status.PARTIAL: "partial",
    Status.PLANNED: "planned",
    Status.NOT_APPLICABLE: "not-applicable",
}  # not_implemented, unknown and unanswered have no OSCAL implementation state
NOT_JUDGED = frozenset({None, Status.UNKNOWN})  # not-satisfied, reason "other"
_URL = re.compile(r"^https?://[^\s<>\"]+$")


def control_token(sub_practice_id: str) -> str:
    """The OSCAL control ID for an HICP sub-practice: "1.M.A" -> "hicp-1.m.a"."""
    return f"hicp-{sub_practice_id.lower()}"


def _plain(text: str) -> str:
    """A prop value or name: one line, no surrounding spaces (OSCAL's string pattern)."""
    return " ".join(text.split())


def _line(text: str) -> str:
    """A markup-line field: escaped Markdown on a single line."""
    return escape(text, line_break=" ")


def _timestamp(day: dt.date) -> str:
    # OSCAL needs date-times with a zone; the context only has dates, taken as midnight UTC.
    return f"{day.isoformat()}T00:00:00Z"


def _prop(name: str, value: str, **extra: str) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": _plain(value), **extra}


def _props(*pairs: tuple[str, str | None]) -> list[dict[str, str]]:
    return [_prop(name, value) for name, value in pairs if value and value.strip()]


def _non_empty(**fields: Any) -> dict[str, Any]:
    """Leave out empty lists: OSCAL arrays, where present, hold at least one member."""
    return {k: v for k, v in fields.items() if v not in (None, [], "")}


class _Builder:
    def __init__(self, context: ReportContext) -> None:
        self.c = context
        self.org = context.organization
        self.party = self.uuid("party", "organization")
        self.origin = [{"actors": [{"type": "party", "actor-uuid": self.party}]}]
        self.threat_names = {t.id: t.name for t in context.threats}
        # practice -> the threats it mitigates (the heatmap lists each threat's practices)
        self.threats_of: dict[str, list[str]] = {}
        for cell in context.heatmap:
            self.threats_of.setdefault(cell.practice, []).append(cell.threat)

    def uuid(self, *key: str) -> str:
        """Deterministic: the same organization, date and item always get the same UUID."""
        name = "\x1f".join((self.org.name, self.org.date.isoformat(), *key))
        return str(uuid.uuid5(UUID_NAMESPACE, name))

    def document(self) -> dict[str, Any]:
        plan = self.uuid("assessment-plan")
        return {
            "assessment-results": {
                "uuid": self.uuid("assessment-results"),
                "metadata": self.metadata(),
                "import-ap": {
                    "href": f"#{plan}",
                    "remarks": (
                        "The assessment plan is not published separately: this fragment "
                        "points to the back-matter resource that describes the "
                        "self-assessment's scope and method."
                    ),
                },
                "results": [self.result(), *self.prior_results()],
                "back-matter": {"resources": [self.plan_resource(plan)]},
            }
        }

    def metadata(self) -> dict[str, Any]:
        generated = _timestamp(self.c.generated_on)
        return {
            "title": _line(self.c.title),
            "published": generated,
            "last-modified": generated,
            "version": self.org.date.isoformat(),
            "oscal-version": OSCAL_VERSION,
            "props": _props(
                ("hicp-edition", self.org.hicp_edition),
                ("catalog-version", self.org.catalog_version),
                ("tier", self.org.tier),
                *(("included-tier", t) for t in self.org.include_tiers),
            ),
            "parties": [
                {"uuid": self.party, "type": "organization", "name": _plain(self.org.name)}
            ],
            "remarks": (
                "Self-assessment against the HHS 405(d) Health Industry Cybersecurity Practices "
                "(HICP), written by the hicp toolkit. The version is the assessment date."
            ),
        }

    def plan_resource(self, plan_uuid: str) -> dict[str, Any]:
        tiers = ", ".join((self.org.tier, *self.org.include_tiers))
        return {
            "uuid": plan_uuid,
            "title": "HICP self-assessment plan",
            "description": (
                f"Every sub-practice of the HICP {escape(self.org.hicp_edition)} edition in scope "
                f"for tier(s) "
                f"{escape(tiers)} (catalog {escape(self.org.catalog_version)}), answered by the "
                "organization with one status each: implemented, partial, planned, not "
                "implemented, not sure or not applicable (with a justification)."
            ),
            "props": _props(("catalog-version", self.org.catalog_version), ("tier", self.org.tier)),
        }

    def result(self) -> dict[str, Any]:
        score = self.c.score
        items = [i for p in self.c.practices for i in p.items]
        practice_of = {i.id: p.id for p in self.c.practices for i in p.items}
        observations = {i.id: self.observation(i) for i in items if i.status is not None}
        risks = [self.risk(t.id) for t in score.threats]
        coverage = "not scored" if score.coverage is None else pct(score.coverage)
        assessed = f", by {escape(self.org.assessor)}" if self.org.assessor else ""
        return _non_empty(
            uuid=self.uuid("result"),
            title=_line(f"HICP self-assessment of {self.org.name}, {self.org.date.isoformat()}"),
            description=(
                f"Self-assessment of the {score.total} HICP sub-practices in scope "
                f"({score.answered} answered){assessed}. Overall coverage {coverage}; "
                f"overall exposure {pct(score.exposure)} of inherent risk across the HICP threats."
            ),
            start=_timestamp(self.org.date),
            props=_props(
                ("coverage", None if score.coverage is None else pct(score.coverage)),
                ("exposure", pct(score.exposure)),
                ("assessor", self.org.assessor),
            ),
            **{
                "reviewed-controls": self.reviewed_controls(items),
                "observations": list(observations.values()),
                "risks": risks,
                "findings": [
                    self.finding(i, practice_of[i.id], observations.get(i.id)) for i in items
                ],
            },
        )

    def prior_results(self) -> list[dict[str, Any]]:
        """The previous assessment (``--previous``) as a prior result: its date and figures.

        Only what the comparison keeps is stated (overall and per-threat figures and the items
        that changed); the prior file's own findings stay in that file.
        """
        changes = self.c.changes
        if changes is None:
            return []
        s = changes.scores
        before = changes.before_date.isoformat()
        threats = "; ".join(
            f"{self.threat_names.get(t, t)} "
            + ("not applicable" if b is None else f"{pct(b)} exposure")
            for t, b, _ in s.threats
        )
        items = [i for p in self.c.practices for i in p.items]
        return [
            _non_empty(
                uuid=self.uuid("prior-result", before),
                title=_line(f"Prior HICP self-assessment of {self.org.name}, {before}"),
                description=(
                    f"The organization's previous self-assessment, dated {before}, compared with "
                    f"this one: overall coverage {pct(s.coverage_before)}; overall exposure "
                    f"{pct(s.exposure_before)} of inherent risk ({threats}). "
                    f"{len(changes.items)} sub-practice answer(s) changed since."
                ),
                start=_timestamp(changes.before_date),
                end=_timestamp(changes.after_date),
                props=_props(
                    ("coverage", pct(s.coverage_before) if s.coverage_before is not None else None),
                    ("exposure", pct(s.exposure_before) if s.exposure_before is not None else None),
                ),
                **{"reviewed-controls": self.reviewed_controls(items)},
                remarks=(
                    "Prior result recorded from the comparison only; the controls listed are "
                    "those in scope now."
                ),
            )
        ]

    def reviewed_controls(self, items: list[ItemRow]) -> dict[str, Any]:
        return {
            "description": "The HICP sub-practices in scope for the organization's size tier.",
            "control-selections": [
                {"include-controls": [{"control-id": control_token(i.id)} for i in items]}
            ],
            "remarks": (
                "Control IDs are HICP sub-practice IDs in lower case with the prefix hicp- "
                "(hicp-1.m.a is sub-practice 1.M.A), because OSCAL IDs cannot start with a "
                "digit. No OSCAL catalog of HICP is published; findings carry the original ID in "
                "an hicp-id prop."
            ),
        }

    def observation(self, item: ItemRow) -> dict[str, Any]:
        description = f"{item.status_label}."
        if item.notes:
            description += "\n\n" + escape(item.notes, line_break="\n")
        if item.justification:
            description += "\n\nDoes not apply: " + escape(item.justification, line_break="\n")
        evidence = [
            {"href": e, "description": escape(e)} if _URL.match(e) else {"description": escape(e)}
            for e in item.evidence
        ]
        return _non_empty(
            uuid=self.uuid("observation", item.id),
            title=_line(f"{item.id} {item.title}"),
            description=description,
            props=_props(
                ("hicp-id", item.id),
                ("hicp-status", item.status.value if item.status else None),
                ("owner", item.owner),
                ("target-date", item.target_date.isoformat() if item.target_date else None),
                (
                    "in-place-since",
                    item.in_place_since.isoformat() if item.in_place_since else None,
                ),
            ),
            methods=["INTERVIEW"],
            types=["control-objective"],
            origins=self.origin,
            collected=_timestamp(self.org.date),
            **{"relevant-evidence": evidence},
        )

    def finding(
        self, item: ItemRow, practice: str, observation: dict[str, Any] | None
    ) -> dict[str, Any]:
        satisfied = item.status is Status.IMPLEMENTED
        not_applicable = item.status is Status.NOT_APPLICABLE
        target: dict[str, Any] = {
            "type": "objective-id",
            "target-id": control_token(item.id),
            "description": f"HICP status: {item.status_label}.",
        }
        if item.status in IMPLEMENTATION_STATE:
            target["implementation-status"] = {"state": IMPLEMENTATION_STATE[item.status]}
        if not_applicable:
            # Neither satisfied nor not-satisfied: the objective does not apply (see above).
            if item.justification:
                target["implementation-status"]["remarks"] = escape(
                    item.justification, line_break="\n"
                )
        else:
            status: dict[str, str] = {
                "state": "satisfied" if satisfied else "not-satisfied",
                "reason": "pass" if satisfied else "other" if item.status in NOT_JUDGED else "fail",
            }
            if item.status in NOT_JUDGED:
                status["remarks"] = f"Not judged: {item.status_label.lower()}."
            target["status"] = status
        risks = [] if satisfied or not_applicable else self.threats_of.get(practice, [])
        description = f"{item.status_label}."
        if item.justification:
            description += " Does not apply: " + escape(item.justification, line_break="\n")
        return _non_empty(
            uuid=self.uuid("finding", item.id),
            title=_line(f"{item.id} {item.title}"),
            description=description,
            props=[
                *_props(
                    ("hicp-id", item.id),
                    ("hicp-status", item.status.value if item.status else "unanswered"),
                    ("practice", practice),
                ),
                *self.csf_props(item),
            ],
            origins=self.origin,
            target=target,
            **{
                "related-observations": [{"observation-uuid": observation["uuid"]}]
                if observation
                else [],
                "related-risks": [{"risk-uuid": self.uuid("risk", t)} for t in risks],
            },
        )

    def csf_props(self, item: ItemRow) -> list[dict[str, str]]:
        """The item's CSF 1.1 references; borrowed ones are marked with the class "derived"."""
        props = [_prop("csf-1.1", ref) for ref in item.csf_1_1]
        if item.csf_1_1_derived:
            props += [_prop("csf-1.1", ref, **{"class": "derived"}) for ref in item.csf_1_1_derived]
            props.append(_prop("csf-derived-from", " ".join(item.csf_derived_from)))
        return props

    def risk(self, threat_id: str) -> dict[str, Any]:
        t = self.c.score.threat(threat_id)
        info = next(i for i in self.c.threats if i.id == threat_id)
        if t.residual is None:
            statement = "Not applicable to this organization: " + escape(
                t.not_applicable or "", line_break="\n"
            )
        else:
            statement = (
                f"Likelihood {t.likelihood} × impact {t.impact} gives an inherent risk of "
                f"{t.inherent}; the safeguards in place mitigate {pct(t.mitigation)} of it, "
                f"leaving a residual risk of {t.residual:.1f} ({pct(t.exposure)} exposure)."
            )
        if t.override_reason:
            statement += " The organization set its own likelihood or impact: " + escape(
                t.override_reason, line_break="\n"
            )
        facets = [
            ("likelihood", str(t.likelihood)),
            ("impact", str(t.impact)),
            ("inherent-risk", str(t.inherent)),
        ]
        if t.residual is not None:
            facets.append(("residual-risk", f"{t.residual:.2f}"))
        return {
            "uuid": self.uuid("risk", threat_id),
            "title": _line(info.name),
            "description": escape(info.summary, line_break="\n"),
            "statement": statement,
            "props": _props(
                ("hicp-threat-id", threat_id),
                ("exposure", "not applicable" if t.exposure is None else pct(t.exposure)),
            ),
            # A threat that does not apply is no open risk; the statement says why.
            "status": "closed" if t.residual is None or t.residual == 0 else "open",
            "origins": self.origin,
            "characterizations": [
                {
                    "origin": {"actors": self.origin[0]["actors"]},
                    "facets": [{"name": n, "system": NS, "value": v} for n, v in facets],
                }
            ],
        }


def document(context: ReportContext) -> dict[str, Any]:
    """The OSCAL document as JSON-ready data (``{"assessment-results": {...}}``)."""
    return _Builder(context).document()


def render(context: ReportContext) -> bytes:
    text = json.dumps(document(context), indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")
