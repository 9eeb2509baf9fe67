"""The DOCX report: an editable Word document with real headings, tables and the plan by phase."""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING

from hicp.reports.context import Audience, EvidenceSummary, PracticeSection, ReportContext
from hicp.reports.crosswalk import Rollup
from hicp.reports.diff import Change, Diff
from hicp.reports.docx_parts import (
    Cell,
    Strong,
    add_table,
    clean,
    para,
    setup,
)
from hicp.reports.recognized import Standing
from hicp.reports.wording import (
    COST_WORDS,
    QUICK_WIN_NOTE,
    action_label,
    conflicts_line,
    effort_words,
    evidence_sentence,
    not_applicable_words,
    pct,
    status_label,
    text_bar,
)
from hicp.reports.zipfiles import pin_timestamps

if TYPE_CHECKING:
    from docx.document import Document

    from hicp.assessment.plan import Action


PUBLIC_LAW = (
    "Public Law 116-321 requires HHS to consider whether recognized security practices, such "
    "as HICP, were in place for the previous 12 months when it settles a HIPAA enforcement "
    "action, so each practice's standing and evidence below matters."
)


def _section(doc: Document, title: str) -> None:
    """A Heading 1 that starts a new page: the report's major sections stand apart in print."""
    doc.add_heading(title, level=1).paragraph_format.page_break_before = True


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _due(action: Action) -> str:
    """Past dates read as overdue, never as upcoming."""
    if action.overdue:
        return f"Overdue since {_day(action.due_date)}"
    return _day(action.target_date) if action.target_date else "no date"


def _threat_rows(context: ReportContext) -> list[list[Cell]]:
    changes = context.changes
    before = {t: b for t, b, _ in changes.scores.threats} if changes else {}
    rows: list[list[Cell]] = []
    for info, threat in zip(context.threats, context.score.threats, strict=True):
        row: list[Cell] = [info.name, not_applicable_words(threat) or text_bar(threat.exposure)]
        if changes:
            row.append(pct(before[threat.id]))
        rows.append(row)
    return rows


def _summary(doc: Document, context: ReportContext) -> None:
    """One page: position, threats, next actions and, when known, the change since last time."""
    org, result, changes = context.organization, context.score, context.changes
    plain = context.audience is Audience.CLINIC
    doc.add_heading("Executive summary", level=1)
    tiers = " and ".join([org.tier, *org.include_tiers])
    para(
        doc,
        f"{org.name} was assessed on {_day(org.date)} against the HICP practices for {tiers} "
        f"organizations ({result.answered} of {result.total} sub-practices answered).",
    )
    overall = (
        f"{pct(result.coverage)} of the practices in scope are in place, and "
        f"{pct(result.exposure)} of the risk from the five threats is not yet mitigated"
    )
    if changes:
        overall += (
            f" (on {_day(changes.before_date)}: "
            f"{pct(changes.scores.coverage_before)} and {pct(changes.scores.exposure_before)})"
        )
    para(doc, overall + ".", bold="Overall: ")
    if context.evidence is not None and context.evidence.conflicts:
        para(
            doc,
            f"{conflicts_line(context.evidence.conflicts, plain=plain)}; "
            "see “Practice by practice”.",
            bold="Conflicts: ",
        )
    if changes:
        counts = [f"{len(changes.of(c))} {c.label.lower()}" for c in Change if changes.of(c)]
        para(
            doc,
            (", ".join(counts) + "; the next section lists each change.")
            if counts
            else "no answer changed.",
            bold="Since the previous assessment: ",
        )

    doc.add_heading("Exposure to the five threats", level=2)
    para(doc, "The share of each threat's risk not yet mitigated: the shorter, the better.")
    headers = ["Threat", "Exposure"] + (["Before"] if changes else [])
    widths = [3.3, 2.2, 1.0] if changes else [3.8, 2.7]
    add_table(doc, headers, _threat_rows(context), widths)

    doc.add_heading("What to do next", level=2)
    rows: list[list[Cell]] = []
    for rank, a in enumerate(context.top_actions, 1):
        detail = a.summary if plain else f"{effort_words(a)}, {COST_WORDS[a.cost]}."
        rows.append(
            [
                str(rank),
                [Strong(action_label(a)), detail],
                a.owner or "not assigned",
                _due(a),
            ]
        )
    if rows:
        add_table(doc, ["#", "Action", "Owner", "Due"], rows, [0.3, 3.6, 1.3, 1.3])
    else:
        para(doc, "Nothing left to put in place: every sub-practice is done or does not apply.")


def _changes(doc: Document, changes: Diff) -> None:
    _section(doc, "Changes since the previous assessment")
    para(
        doc,
        f"Answers that changed between the assessment of "
        f"{_day(changes.before_date)} and the one of "
        f"{_day(changes.after_date)}.",
    )
    rows: list[list[Cell]] = [
        [
            i.id,
            i.title,
            i.change.label
            + (f" ({', '.join(f.replace('_', ' ') for f in i.fields)})" if i.fields else ""),
            status_label(i.before),
            status_label(i.after),
        ]
        for i in changes.items
    ]
    if rows:
        add_table(
            doc,
            ["ID", "Sub-practice", "Change", "Before", "After"],
            rows,
            [0.6, 2.2, 1.5, 1.1, 1.1],
        )
    else:
        para(doc, "No answer changed.")


def _practice(doc: Document, section: PracticeSection, plain: bool) -> None:
    doc.add_heading(f"{section.id} {section.name}", level=2)
    para(
        doc,
        f"{pct(section.coverage)} in place; {section.answered} of {section.total} answered."
        + (f" {section.summary}" if plain else ""),
        bold="Coverage: ",
    )
    rows: list[list[Cell]] = []
    for i in section.items:
        details: list[str] = []
        # The tool evidence leads the cell: a conflict is the first thing to check, so its
        # label is a bold paragraph of its own.
        if i.evidence_conflict:
            details += [Strong(CONFLICT), evidence_sentence(i.evidence_conflict)]
        if i.evidence_note:
            details.append(f"{TOOLS_NOTE} {evidence_sentence(i.evidence_note)}")
        details.append(i.notes or "")
        if i.evidence:
            details.append("Evidence: " + "; ".join(i.evidence))
        if i.justification:
            details.append("Why it does not apply: " + i.justification)
        rows.append(
            [
                i.id,
                i.question if plain else [Strong(i.title), "CSF 1.1: " + ", ".join(i.csf_1_1)],
                i.status_label,
                i.owner or "",
                _day(i.target_date) if i.target_date else "",
                [d for d in details if d] or "",
            ]
        )
    add_table(doc, PRACTICE_HEADERS, rows, [0.6, 1.4, 0.95, 1.0, 0.75, 1.8])


PRACTICE_HEADERS = ("ID", "Sub-practice", "Status", "Owner", "Target date", "Notes and evidence")
CONFLICT = "Conflict with the evidence from your tools:"
TOOLS_NOTE = "Evidence from your tools:"
EVIDENCE_HEADERS = ("Rule", "Sub-practices", "Meets the bar", "Evidence supports", "Explanation")


def _practices(doc: Document, context: ReportContext) -> None:
    _section(doc, "Practice by practice")
    para(
        doc,
        "Each table lists the sub-practices in scope for this organization: where each stands, "
        "who owns it, by when, and what was recorded about it.",
    )
    for section in context.practices:
        _practice(doc, section, context.audience is Audience.CLINIC)
    if context.evidence is not None:
        _evidence(doc, context, context.evidence)


def _evidence(doc: Document, context: ReportContext, evidence: EvidenceSummary) -> None:
    """The last part of "Practice by practice": what each rule found in the imported records."""
    plain = context.audience is Audience.CLINIC
    doc.add_heading("Evidence from your tools", level=2)
    checked = (
        "Records imported from your own tools were checked against your answers."
        if plain
        else "Imported tool records were evaluated against the answers."
    )
    drill_down = (
        ""
        if plain
        else " List the items that fall short with: hicp evidence show ASSESSMENT --rule RULE."
    )
    para(
        doc,
        f"{checked} Each rule counts the systems or accounts that meet its bar; the share that "
        "does decides what the evidence supports. Where an answer claims more than that, its "
        f"sub-practice above is marked as a conflict.{drill_down}",
    )
    if evidence.imports:
        para(doc, "Imported:")
        for line in evidence.imports:
            para(doc, line, style="List Bullet")
    if not evidence.rules:
        para(doc, "No rule had enough data to draw a conclusion yet.")
        return
    titles = {i.id: i.title for p in context.practices for i in p.items}
    rows: list[list[Cell]] = [
        [
            [Strong(r.title), *([] if plain else [r.id])],
            [f"{sid} {titles.get(sid, '')}".rstrip() for sid in r.sub_practices],
            f"{r.total - r.bad} of {r.total} ({pct(r.share)})",
            r.supports.label,
            r.explanation,
        ]
        for r in evidence.rules
    ]
    add_table(doc, EVIDENCE_HEADERS, rows, [1.5, 1.6, 0.85, 0.95, 1.6])


def _plan(doc: Document, context: ReportContext) -> None:
    plain = context.audience is Audience.CLINIC
    plan = context.plan
    threat_name = {t.id: t.short for t in context.threats}
    _section(doc, "Action plan")
    para(
        doc,
        f"{len(plan.actions)} actions, ranked by the risk each removes for the effort it takes, "
        f"and placed in {len(plan.phases)} phases. ★ marks a {QUICK_WIN_NOTE}.",
    )
    by_id = {a.id: a for a in plan.actions}
    rank = {a.id: n for n, a in enumerate(plan.actions, 1)}
    for phase in plan.phases:
        doc.add_heading(phase.label, level=2)
        if not phase.actions:
            para(doc, "Nothing planned in this phase.")
            continue
        rows: list[list[Cell]] = []
        for aid in phase.actions:
            a = by_id[aid]
            notes = "Reduces: " + ", ".join(threat_name[t] for t in a.threats) + "."
            if a.depends_on:
                notes += " After: " + ", ".join(a.depends_on) + "."
            rows.append(
                [
                    str(rank[aid]),
                    [
                        Strong(action_label(a) + (" ★" if a.quick_win else "")),
                        a.summary if plain else a.guidance,
                        notes,
                    ],
                    a.owner or "not assigned",
                    _due(a),
                    f"{effort_words(a)}, {COST_WORDS[a.cost]}",
                ]
            )
        add_table(
            doc,
            ["#", "Action", "Owner", "Due", "Effort and cost"],
            rows,
            [0.35, 3.2, 1.0, 0.95, 1.0],
        )


def _recognized(doc: Document, context: ReportContext) -> None:
    _section(doc, "Recognized security practices")
    para(doc, PUBLIC_LAW)
    doc.add_heading("Standing by practice", level=2)
    rows: list[list[Cell]] = []
    for p in context.recognized:
        twelve = sum(1 for i in p.items if i.twelve_months)
        rows.append(
            [
                f"{p.id} {p.name}",
                p.standing.label,
                f"{twelve} of {len(p.items)}" if p.items else "–",
            ]
        )
    add_table(doc, ["Practice", "Standing", "Items in place 12 months or more"], rows, [3, 2, 1.5])

    doc.add_heading("Evidence and gaps, practice by practice", level=2)
    for p in context.recognized:
        if p.standing is Standing.NOT_APPLICABLE:
            continue
        doc.add_heading(f"{p.id} {p.name}: {p.standing.label.lower()}", level=3)
        rows = [
            [
                i.id,
                i.title,
                _day(i.in_place_since) if i.in_place_since else "–",
                list(i.evidence) or "none recorded",
                "; ".join(i.missing) or "nothing",
            ]
            for i in p.items
        ]
        add_table(doc, RECOGNIZED_HEADERS, rows, [0.6, 1.55, 1.0, 2.05, 1.3])


RECOGNIZED_HEADERS = (
    "ID",
    "Sub-practice",
    "In place since",
    "Evidence recorded",
    "What is missing",
)


def _rollup_row(r: Rollup, label: str, *, strong: bool = False) -> list[Cell]:
    return [
        label,
        Strong(r.name) if strong else r.name,
        pct(r.coverage),
        ", ".join(r.linked_labels),
    ]


def _crosswalk(doc: Document, context: ReportContext) -> None:
    cw = context.crosswalk
    _section(doc, "Crosswalk appendix")
    doc.add_heading("NIST Cybersecurity Framework (CSF) 2.0", level=2)
    para(
        doc,
        "HICP references CSF 1.1; the links to CSF 2.0 functions and categories are derived "
        "from those references through NIST's 1.1-to-2.0 crosswalk. Coverage is the mean "
        "credit of the linked sub-practices in scope. A sub-practice marked (derived) borrows "
        "the references of a medium counterpart until HICP's own mapping of it is entered.",
    )
    rows: list[list[Cell]] = []
    for function in cw.csf_functions:
        rows.append(_rollup_row(function, function.id, strong=True))
        # Categories under their function (GV.PO under GV), indented, so the table reads as
        # an outline of the framework.
        rows += [
            _rollup_row(c, f"   {c.id}")
            for c in cw.csf_categories
            if c.id.split(".")[0] == function.id
        ]
    add_table(
        doc,
        ["Function or category", "Name", "Coverage", "Sub-practices"],
        rows,
        [1.1, 2.1, 0.8, 2.5],
    )

    doc.add_heading("HIPAA Security Rule", level=2)
    para(
        doc,
        "The Security Rule standards the assessed sub-practices are related to. Related does "
        "not mean satisfied: doing these practices does not by itself meet a standard.",
    )
    rows = [_rollup_row(h, h.id) for h in cw.hipaa]
    add_table(
        doc, ["Standard", "Name", "Coverage", "Related sub-practices"], rows, [1.1, 2.1, 0.8, 2.5]
    )

    doc.add_heading("HHS Healthcare and Public Health Cybersecurity Performance Goals", level=2)
    para(
        doc,
        "Whether each goal is met, judged from the sub-practices that decide it. The mapping "
        "from goals to HICP sub-practices is this project's own and has not been verified.",
    )
    for tier in ("essential", "enhanced"):
        goals = [g for g in cw.goals if g.tier == tier]
        if not goals:
            continue
        doc.add_heading(f"{tier.capitalize()} goals", level=3)
        rows = [
            [
                g.id,
                g.title,
                g.state.label,
                ", ".join(
                    f"{sid} ({'does not apply' if c is None else pct(c)})" for sid, c in g.deciding
                )
                or "none in scope",
            ]
            for g in goals
        ]
        add_table(
            doc, ["Goal", "Title", "State", "Deciding sub-practices"], rows, [0.9, 2.4, 0.9, 2.3]
        )


def _about(doc: Document, context: ReportContext) -> None:
    org = context.organization
    _section(doc, "About this report")
    para(
        doc,
        f"Prepared on {_day(context.generated_on)} by hicp from the assessment of "
        f"{_day(org.date)}"
        + (f" by {org.assessor}" if org.assessor else "")
        + f", against HICP catalog version {org.catalog_version} ({org.hicp_edition} edition). "
        "This document is meant to be edited before it is shared.",
    )
    if context.known_gaps:
        para(doc, "Known gaps in the catalog:")
        for gap in context.known_gaps:
            para(doc, gap, style="List Bullet")


def render(context: ReportContext) -> bytes:
    from docx import Document

    doc = Document()
    setup(
        doc,
        title=context.title,
        subject="HHS 405(d) Health Industry Cybersecurity Practices (HICP) assessment",
        comments=f"Prepared by hicp from the assessment of {context.organization.date}.",
        day=context.generated_on,
    )
    doc.add_heading(clean(context.title), level=0)
    para(
        doc,
        "HHS 405(d) Health Industry Cybersecurity Practices (HICP), "
        f"{context.organization.hicp_edition} edition. Assessed "
        f"{_day(context.organization.date)}; prepared {_day(context.generated_on)}.",
        style="Subtitle",
    )
    _summary(doc, context)
    if context.changes is not None:
        _changes(doc, context.changes)
    _practices(doc, context)
    _plan(doc, context)
    _recognized(doc, context)
    _crosswalk(doc, context)
    _about(doc, context)
    buffer = io.BytesIO()
    doc.save(buffer)
    return pin_timestamps(buffer.getvalue(), context.generated_on)
