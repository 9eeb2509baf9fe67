"""The DOCX report: an editable Word document with real headings, tables and the plan by phase."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hicp.reports.context import Audience, PracticeSection, ReportContext
from hicp.reports.crosswalk import Rollup
from hicp.reports.diff import Change, Diff
from hicp.reports.recognized import Standing
from hicp.reports.wording import (
    COST_WORDS,
    QUICK_WIN_NOTE,
    action_label,
    effort_words,
    pct,
    status_label,
    text_bar,
)
from hicp.reports.zipfiles import pin_timestamps

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import _Cell, _Row


class Strong(str):
    """Text a table cell shows in bold, such as an action's label above its description."""

    __slots__ = ()


# A cell holds one paragraph per string.
Cell = str | Sequence[str]

TABLE_STYLES = ("Light Grid Accent 1", "Table Grid")  # the first the template has wins
TABLE_TEXT = "Table Text"  # our paragraph style for table cells: one place to restyle them all
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 8.5, 11.0, 1.0  # US Letter, inches
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
# Characters XML 1.0 cannot hold; python-docx raises on them rather than dropping them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

PUBLIC_LAW = (
    "Public Law 116-321 requires HHS to consider whether recognized security practices, such "
    "as HICP, were in place for the previous 12 months when it settles a HIPAA enforcement "
    "action, so each practice's standing and evidence below matters."
)


def _section(doc: Document, title: str) -> None:
    """A Heading 1 that starts a new page: the report's major sections stand apart in print."""
    doc.add_heading(title, level=1).paragraph_format.page_break_before = True


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _para(doc: Document, text: str = "", style: str | None = None, bold: str = "") -> None:
    """A paragraph, with an optional bold lead-in such as a label.

    Kept with what follows: these paragraphs introduce a table, which should not start on the
    next page without them.
    """
    p = doc.add_paragraph(style=style)
    p.paragraph_format.keep_with_next = True
    if bold:
        p.add_run(_clean(bold)).bold = True
    if text:
        p.add_run(_clean(text))


def _mark_row(row: _Row, *, header: bool) -> None:
    """Keep each row on one page, and repeat the header row at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        # w:tblHeader follows w:cantSplit in the schema's sequence.
        element = OxmlElement("w:tblHeader")
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def _fill(cell: _Cell, content: Cell, style_id: str, *, bold: bool = False) -> None:
    texts = [content] if isinstance(content, str) else list(content) or [""]
    for i, text in enumerate(texts):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        # By id on the element: python-docx resolves a style *name* by scanning every style,
        # which made naming it here most of the rendering time.
        p._p.style = style_id
        run = p.add_run(_clean(text))
        run.bold = bold or isinstance(text, Strong) or None


def _table(
    doc: Document, headers: Sequence[str], rows: Sequence[Sequence[Cell]], widths: Sequence[float]
) -> None:
    """A table in the template's grid style; ``widths`` in inches, adding up to the text width."""
    from docx.shared import Inches

    names = {x.name for x in doc.styles}
    style = next(s for s in TABLE_STYLES if s in names)
    text_style = doc.styles[TABLE_TEXT].style_id
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles[style]
    table.autofit = False
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _fill(cell, header, text_style, bold=True)
    _mark_row(table.rows[0], header=True)
    for values in rows:
        row = table.add_row()
        for cell, value in zip(row.cells, values, strict=True):
            _fill(cell, value, text_style)
        _mark_row(row, header=False)
    # Word reads the cell widths, LibreOffice the grid: set both.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Inches(width)
        for cell in column.cells:
            cell.width = Inches(width)
    doc.add_paragraph()  # tables that touch merge when edited in Word


def _setup(doc: Document, context: ReportContext) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Inches, Pt

    for section in doc.sections:
        section.page_width, section.page_height = Inches(PAGE_WIDTH), Inches(PAGE_HEIGHT)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Inches(MARGIN))
    style = doc.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(9)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.line_spacing = 1.0

    stamp = dt.datetime.combine(context.generated_on, dt.time())
    props = doc.core_properties
    props.title = context.title
    props.subject = "HHS 405(d) Health Industry Cybersecurity Practices (HICP) assessment"
    props.author = props.last_modified_by = "hicp"
    props.keywords = "HICP; 405(d); cybersecurity; assessment"
    props.comments = f"Prepared by hicp from the assessment of {context.organization.date}."
    props.created = props.modified = stamp
    props.revision = 1


def _threat_rows(context: ReportContext) -> list[list[Cell]]:
    changes = context.changes
    before = {t: b for t, b, _ in changes.scores.threats} if changes else {}
    rows: list[list[Cell]] = []
    for info, threat in zip(context.threats, context.score.threats, strict=True):
        row: list[Cell] = [info.name, text_bar(threat.exposure)]
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
    _para(
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
    _para(doc, overall + ".", bold="Overall: ")
    if changes:
        counts = [f"{len(changes.of(c))} {c.label.lower()}" for c in Change if changes.of(c)]
        _para(
            doc,
            (", ".join(counts) + "; the next section lists each change.")
            if counts
            else "no answer changed.",
            bold="Since the previous assessment: ",
        )

    doc.add_heading("Exposure to the five threats", level=2)
    _para(doc, "The share of each threat's risk not yet mitigated: the shorter, the better.")
    headers = ["Threat", "Exposure"] + (["Before"] if changes else [])
    widths = [3.3, 2.2, 1.0] if changes else [3.8, 2.7]
    _table(doc, headers, _threat_rows(context), widths)

    doc.add_heading("What to do next", level=2)
    rows: list[list[Cell]] = []
    for rank, a in enumerate(context.top_actions, 1):
        detail = a.summary if plain else f"{effort_words(a)}, {COST_WORDS[a.cost]}."
        rows.append(
            [
                str(rank),
                [Strong(action_label(a)), detail],
                a.owner or "not assigned",
                _day(a.target_date) if a.target_date else "no date",
            ]
        )
    if rows:
        _table(doc, ["#", "Action", "Owner", "Due"], rows, [0.3, 3.6, 1.3, 1.3])
    else:
        _para(doc, "Nothing left to put in place: every sub-practice is done or does not apply.")


def _changes(doc: Document, changes: Diff) -> None:
    _section(doc, "Changes since the previous assessment")
    _para(
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
        _table(
            doc,
            ["ID", "Sub-practice", "Change", "Before", "After"],
            rows,
            [0.6, 2.2, 1.5, 1.1, 1.1],
        )
    else:
        _para(doc, "No answer changed.")


def _practice(doc: Document, section: PracticeSection, plain: bool) -> None:
    doc.add_heading(f"{section.id} {section.name}", level=2)
    _para(
        doc,
        f"{pct(section.coverage)} in place; {section.answered} of {section.total} answered."
        + (f" {section.summary}" if plain else ""),
        bold="Coverage: ",
    )
    rows: list[list[Cell]] = []
    for i in section.items:
        details = [i.notes or ""]
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
    _table(doc, PRACTICE_HEADERS, rows, [0.6, 1.4, 0.95, 1.0, 0.75, 1.8])


PRACTICE_HEADERS = ("ID", "Sub-practice", "Status", "Owner", "Target date", "Notes and evidence")


def _practices(doc: Document, context: ReportContext) -> None:
    _section(doc, "Practice by practice")
    _para(
        doc,
        "Each table lists the sub-practices in scope for this organization: where each stands, "
        "who owns it, by when, and what was recorded about it.",
    )
    for section in context.practices:
        _practice(doc, section, context.audience is Audience.CLINIC)


def _plan(doc: Document, context: ReportContext) -> None:
    plain = context.audience is Audience.CLINIC
    plan = context.plan
    threat_name = {t.id: t.short for t in context.threats}
    _section(doc, "Action plan")
    _para(
        doc,
        f"{len(plan.actions)} actions, ranked by the risk each removes for the effort it takes, "
        f"and placed in {len(plan.phases)} phases. ★ marks a {QUICK_WIN_NOTE}.",
    )
    by_id = {a.id: a for a in plan.actions}
    rank = {a.id: n for n, a in enumerate(plan.actions, 1)}
    for phase in plan.phases:
        doc.add_heading(phase.label, level=2)
        if not phase.actions:
            _para(doc, "Nothing planned in this phase.")
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
                    _day(a.target_date) if a.target_date else "no date",
                    f"{effort_words(a)}, {COST_WORDS[a.cost]}",
                ]
            )
        _table(
            doc,
            ["#", "Action", "Owner", "Due", "Effort and cost"],
            rows,
            [0.35, 3.2, 1.0, 0.95, 1.0],
        )


def _recognized(doc: Document, context: ReportContext) -> None:
    _section(doc, "Recognized security practices")
    _para(doc, PUBLIC_LAW)
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
    _table(doc, ["Practice", "Standing", "Items in place 12 months or more"], rows, [3, 2, 1.5])

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
        _table(doc, RECOGNIZED_HEADERS, rows, [0.6, 1.55, 1.0, 2.05, 1.3])


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
        ", ".join(r.sub_practices),
    ]


def _crosswalk(doc: Document, context: ReportContext) -> None:
    cw = context.crosswalk
    _section(doc, "Crosswalk appendix")
    doc.add_heading("NIST Cybersecurity Framework (CSF) 2.0", level=2)
    _para(
        doc,
        "HICP references CSF 1.1; the links to CSF 2.0 functions and categories are derived "
        "from those references through NIST's 1.1-to-2.0 crosswalk. Coverage is the mean "
        "credit of the linked sub-practices in scope.",
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
    _table(
        doc,
        ["Function or category", "Name", "Coverage", "Sub-practices"],
        rows,
        [1.1, 2.1, 0.8, 2.5],
    )

    doc.add_heading("HIPAA Security Rule", level=2)
    _para(
        doc,
        "The Security Rule standards the assessed sub-practices are related to. Related does "
        "not mean satisfied: doing these practices does not by itself meet a standard.",
    )
    rows = [_rollup_row(h, h.id) for h in cw.hipaa]
    _table(
        doc, ["Standard", "Name", "Coverage", "Related sub-practices"], rows, [1.1, 2.1, 0.8, 2.5]
    )

    doc.add_heading("HHS Healthcare and Public Health Cybersecurity Performance Goals", level=2)
    _para(
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
        _table(
            doc, ["Goal", "Title", "State", "Deciding sub-practices"], rows, [0.9, 2.4, 0.9, 2.3]
        )


def _about(doc: Document, context: ReportContext) -> None:
    org = context.organization
    _section(doc, "About this report")
    _para(
        doc,
        f"Prepared on {_day(context.generated_on)} by hicp from the assessment of "
        f"{_day(org.date)}"
        + (f" by {org.assessor}" if org.assessor else "")
        + f", against HICP catalog version {org.catalog_version} ({org.hicp_edition} edition). "
        "This document is meant to be edited before it is shared.",
    )
    if context.known_gaps:
        _para(doc, "Known gaps in the catalog:")
        for gap in context.known_gaps:
            _para(doc, gap, style="List Bullet")


def render(context: ReportContext) -> bytes:
    from docx import Document

    doc = Document()
    _setup(doc, context)
    doc.add_heading(_clean(context.title), level=0)
    _para(
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
