"""The XLSX report: a summary sheet and one filterable table per report section."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from hicp.reports import xlsx_cells as xl
from hicp.reports.context import Audience, PracticeSection, ReportContext
from hicp.reports.crosswalk import Rollup
from hicp.reports.diff import Change, Diff
from hicp.reports.wording import (
    COST_WORDS,
    KIND_VERB,
    action_label,
    conflicts_line,
    effort_words,
    evidence_sentence,
    status_label,
)
from hicp.reports.xlsx_cells import DATE, PERCENT, Column, Sheet, Value
from hicp.reports.zipfiles import pin_timestamps

AUDIENCE_WORDS = {Audience.CLINIC: "Plain language", Audience.IT: "Technical"}
CONFLICT_COLUMN = "Evidence conflict"
CONFLICT_FILL, CONFLICT_INK = "FEE4E2", "912018"  # the HTML report's conflict colours


class _Summary:
    """The first sheet: stacked blocks a reader scans top to bottom (no single table)."""

    WIDTHS = (24, 46, 26, 20, 16, 16, 16)

    def __init__(self, ws: Sheet) -> None:
        from openpyxl.utils import get_column_letter

        self.ws = ws
        self.row = 1
        for i, width in enumerate(self.WIDTHS, 1):
            ws.column_dimensions[get_column_letter(i)].width = width

    def line(
        self, values: Sequence[Value], formats: Sequence[str | None] = (), *, wrap: bool = True
    ) -> list[Any]:
        from openpyxl.styles import Alignment

        cells = []
        for c, value in enumerate(values, 1):
            fmt = formats[c - 1] if c - 1 < len(formats) else None
            cell = xl.put(self.ws, self.row, c, value, fmt)
            # Left throughout: the blocks read as a page of text, not as a grid of figures.
            cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=wrap)
            cells.append(cell)
        self.row += 1
        return cells

    def heading(self, text: str, size: int = 12) -> None:
        self.row += 1 if self.row > 1 else 0
        xl.put(self.ws, self.row, 1, text).font = xl.font(bold=True, size=size)
        self.row += 1

    def header(self, headers: Sequence[str]) -> None:
        xl.write_header(self.ws, self.row, headers)
        self.row += 1

    def pairs(self, pairs: Sequence[tuple[str, Value, str | None]]) -> None:
        for label, value, fmt in pairs:
            self.line([label, value], [None, fmt])[0].font = xl.font(bold=True)

    def paragraph(self, text: str) -> Any:
        """Long text wrapped across the block's width (merged cells; _fit_rows sets the height)."""
        from openpyxl.styles import Alignment

        ws = self.ws
        cell = xl.put(ws, self.row, 1, text)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=6)
        self.row += 1
        return cell


def _summary(ws: Sheet, context: ReportContext) -> None:
    from openpyxl.formatting.rule import DataBarRule

    org, result, changes = context.organization, context.score, context.changes
    phase_label = {p.key: p.label for p in context.plan.phases}
    s = _Summary(ws)
    s.heading(context.title, size=16)
    s.line(
        [f"HHS 405(d) Health Industry Cybersecurity Practices, {org.hicp_edition} edition"],
        wrap=False,
    )

    s.heading("Organization")
    facts: list[tuple[str, Value, str | None]] = [
        ("Organization", org.name, None),
        ("Size tier", org.tier, None),
    ]
    if org.include_tiers:
        facts.append(("Also assessed against", ", ".join(org.include_tiers), None))
    facts += [
        ("Assessed on", org.date, DATE),
        ("Assessor", org.assessor or "not recorded", None),
        ("HICP catalog version", org.catalog_version, None),
        ("Report prepared on", context.generated_on, DATE),
        ("Wording", AUDIENCE_WORDS[context.audience], None),
    ]
    s.pairs(facts)

    s.heading("Overall position")
    overall: list[tuple[str, Value, str | None]] = [
        ("Coverage", xl.percent_or_mark(result.coverage), PERCENT),
        ("Exposure", xl.percent_or_mark(result.exposure), PERCENT),
        ("Sub-practices answered", result.answered, "0"),
        ("Sub-practices in scope", result.total, "0"),
    ]
    if changes:
        before = changes.before_date.isoformat()
        overall += [
            (f"Coverage on {before}", xl.percent_or_mark(changes.scores.coverage_before), PERCENT),
            (f"Exposure on {before}", xl.percent_or_mark(changes.scores.exposure_before), PERCENT),
        ]
    s.pairs(overall)
    s.paragraph(
        "Coverage is the share of the practices in scope that are in place (partly done "
        "earns part credit). Exposure is the share of the five threats' risk not yet "
        "mitigated: lower is better."
    )
    if context.evidence is not None and context.evidence.conflicts:
        plain = context.audience is Audience.CLINIC
        line = s.paragraph(
            f"{conflicts_line(context.evidence.conflicts, plain=plain)}; see the "
            "“Evidence conflict” column of the Sub-practices sheet and the Evidence sheet."
        )
        line.font = xl.font(bold=True)

    s.heading("Exposure to the five threats")
    before_threat = {t: b for t, b, _ in changes.scores.threats} if changes else {}
    s.header(
        ["Threat", "Name", "Exposure", "Inherent risk (1-25)"]
        + (["Exposure before"] if changes else [])
    )
    first = s.row
    for info, threat in zip(context.threats, result.threats, strict=True):
        # A threat that does not apply shows why in words, never a percentage.
        exposure: Value = threat.exposure
        if threat.not_applicable is not None:
            exposure = f"Not applicable — {threat.not_applicable}"
        row: list[Value] = [info.id, info.name, exposure, threat.inherent]
        if changes:
            row.append(before_threat[threat.id])
        s.line(row, [None, None, PERCENT, "0", PERCENT])
    # A bar in the cell is the "clear picture" of each threat that a spreadsheet allows.
    ws.conditional_formatting.add(
        f"C{first}:C{s.row - 1}",
        DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1, color="C0504D"),
    )

    s.heading("Coverage by practice")
    before_practice = {p: b for p, b, _ in changes.scores.practices} if changes else {}
    s.header(
        ["Practice", "Name", "Coverage", "Answered", "In scope"]
        + (["Coverage before"] if changes else [])
    )
    first = s.row
    for p in context.practices:
        # A formula, so a reader who edits a status on the Sub-practices sheet sees it move.
        row = [p.id, p.name, coverage_formula(context, p), p.answered, p.total]
        if changes:
            row.append(xl.percent_or_mark(before_practice.get(p.id)))
        s.line(row, [None, None, PERCENT, "0", "0", PERCENT])
    ws.conditional_formatting.add(
        f"C{first}:C{s.row - 1}",
        DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1, color="4F81BD"),
    )

    s.heading(f"The {len(context.top_actions)} most important next actions")
    s.header(["#", "Action", "Owner", "Due", "When", "Effort", "Cost"])
    for rank, a in enumerate(context.top_actions, 1):
        s.line(
            [
                rank,
                action_label(a),
                a.owner or "not assigned",
                a.target_date,
                phase_label[a.phase],
                effort_words(a),
                COST_WORDS[a.cost],
            ],
            ["0", None, None, DATE],
        )
    if not context.top_actions:
        s.paragraph("Nothing left to put in place: every sub-practice is done or does not apply.")

    if changes:
        s.heading(f"What changed since the assessment of {changes.before_date}")
        s.header(["Change", "Sub-practices", "Count"])
        for change in Change:
            items = changes.of(change)
            if items:
                s.line([change.label, ", ".join(i.id for i in items), len(items)])
        if not changes.items:
            s.paragraph("No answer changed.")

    s.heading("About this report")
    s.paragraph(
        "Scores come from the answers in the assessment file; the plan ranks every gap by "
        "the risk it removes per unit of effort. Known gaps in the HICP catalog used:"
    )
    for gap in context.known_gaps:
        s.paragraph(f"• {gap}")
    ws.sheet_view.showGridLines = False
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _sentence_or_none(text: str | None) -> str | None:
    return evidence_sentence(text) if text else None


SUB_PRACTICES = "Sub-practices"
CREDIT = "Credit"
PRACTICE = "Practice"


def _sub_practice_columns(context: ReportContext) -> list[Column]:
    plain = context.audience is Audience.CLINIC
    # The tool-evidence columns stand beside the status they question, and only when evidence
    # was imported: without it they would be empty.
    evidence = context.evidence is not None
    return [
        Column(PRACTICE),
        Column("ID"),
        Column("Sub-practice"),
        Column("Question", "long") if plain else Column("CSF 1.1"),
        Column("Status"),
        *([Column(CONFLICT_COLUMN, "long"), Column("Evidence note", "long")] if evidence else []),
        Column(CREDIT, "percent"),
        Column("Owner"),
        Column("Target date", "date"),
        Column("In place since", "date"),
        Column("Notes", "long"),
        Column("Evidence", "long"),
        Column("Justification", "long"),
    ]


def practice_label(section: PracticeSection) -> str:
    """The Practice column of the Sub-practices sheet, which the coverage formulas match."""
    return f"{section.id} {section.name}"


def coverage_formula(context: ReportContext, section: PracticeSection) -> xl.Formula:
    """A practice's coverage as the mean Credit of its rows on the Sub-practices sheet.

    AVERAGEIFS skips the text mark of items that do not count (not applicable), as the core
    does; a practice with no counted item shows the core's "not scored" mark. The criterion
    starts with "=" (exact match) and escapes the wildcards * ? ~ so a name is matched as is.
    """
    from openpyxl.utils import get_column_letter

    headers = [c.header for c in _sub_practice_columns(context)]
    first = xl.HEADER_ROW + 1
    last = xl.HEADER_ROW + sum(len(p.items) for p in context.practices)
    credit = get_column_letter(headers.index(CREDIT) + 1)
    practice = get_column_letter(headers.index(PRACTICE) + 1)
    sheet = f"'{SUB_PRACTICES}'!"
    label = re.sub(r"([~*?])", r"~\1", practice_label(section)).replace('"', '""')
    return xl.Formula(
        f"=IFERROR(AVERAGEIFS({sheet}${credit}${first}:${credit}${last},"
        f'{sheet}${practice}${first}:${practice}${last},"={label}"),"{xl.NOT_SCORED}")'
    )


def _sub_practices(ws: Sheet, context: ReportContext) -> None:
    plain = context.audience is Audience.CLINIC
    evidence = context.evidence is not None
    columns = _sub_practice_columns(context)
    rows = [
        [
            practice_label(p),
            i.id,
            i.title,
            i.question if plain else ", ".join(i.csf_1_1),
            i.status_label,
            *(
                [_sentence_or_none(i.evidence_conflict), _sentence_or_none(i.evidence_note)]
                if evidence
                else []
            ),
            xl.percent_or_mark(i.credit),
            i.owner,
            i.target_date,
            i.in_place_since,
            i.notes,
            xl.joined(i.evidence),
            i.justification,
        ]
        for p in context.practices
        for i in p.items
    ]
    tiers = ", ".join([context.organization.tier, *context.organization.include_tiers])
    note = (
        f"One row per sub-practice in scope ({tiers}). Credit is what the status earns toward "
        "coverage; items that do not apply are left out of every score."
    )
    if evidence:
        note += (
            f" {CONFLICT_COLUMN}: the answer claims more than the evidence imported from "
            "your tools supports (see the Evidence sheet)."
        )
    xl.write_table(ws, SUB_PRACTICES, note, columns, rows)
    if evidence:
        _flag_conflicts(ws, [c.header for c in columns].index(CONFLICT_COLUMN) + 1)


def _flag_conflicts(ws: Sheet, column: int) -> None:
    """Shade the conflict cells that hold text, so they stand out when scrolling."""
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor=CONFLICT_FILL)
    for (cell,) in ws.iter_rows(min_row=xl.HEADER_ROW + 1, min_col=column, max_col=column):
        if cell.value:
            cell.fill = fill
            cell.font = Font(name="Calibri", size=11, color=CONFLICT_INK)


def _evidence(ws: Sheet, context: ReportContext) -> None:
    evidence = context.evidence
    if evidence is None:  # the sheet is only made when evidence was imported
        return
    columns = [
        Column("Rule"),
        Column("Sub-practices"),
        Column("Total", "count"),
        Column("Falling short", "count"),
        Column("Share meeting the bar", "percent"),
        Column("Evidence supports"),
        Column("Explanation", "long"),
        Column("Rule ID"),
    ]
    rows: list[list[Value]] = [
        [
            r.title,
            ", ".join(r.sub_practices),
            r.total,
            r.bad,
            r.share,
            r.supports.label,
            r.explanation,
            r.id,
        ]
        for r in evidence.rules
    ]
    imported = "; ".join(evidence.imports) or "nothing"
    xl.write_table(
        ws,
        "Evidence from your tools",
        f"Imported: {imported}. Each rule counts the items that meet its bar; the share that "
        "does decides what the evidence supports. List the items that fall short with: "
        "hicp evidence show ASSESSMENT --rule RULE-ID.",
        columns,
        rows,
    )


def _action_plan(ws: Sheet, context: ReportContext) -> None:
    plain = context.audience is Audience.CLINIC
    phase_label = {p.key: p.label for p in context.plan.phases}
    threat_name = {t.id: t.short for t in context.threats}
    practice_name = {p.id: f"{p.id} {p.name}" for p in context.recognized}
    columns = [
        Column("#", "count"),
        Column("Phase"),
        Column("ID"),
        Column("Action"),
        Column("Practice"),
        Column("Kind"),
        Column("Threats"),
        Column("Risk reduced", "number"),
        Column("Effort"),
        Column("Cost"),
        Column("Quick win"),
        Column("Depends on"),
        Column("Owner"),
        Column("Due", "date"),
        Column("What to do" if plain else "Guidance", "long"),
    ]
    rows = [
        [
            rank,
            phase_label[a.phase],
            a.id,
            a.title,
            practice_name.get(a.practice, a.practice),
            KIND_VERB[a.kind],
            ", ".join(threat_name[t] for t in a.threats),
            a.reduction,
            effort_words(a),
            COST_WORDS[a.cost],
            "Yes" if a.quick_win else "No",
            ", ".join(a.depends_on),
            a.owner,
            a.target_date,
            a.summary if plain else a.guidance,
        ]
        for rank, a in enumerate(context.plan.actions, 1)
    ]
    xl.write_table(
        ws,
        "Action plan",
        "Every gap, in the order to tackle it. Risk reduced: residual risk points removed once "
        "done (each threat's risk is likelihood × impact, 1-25). A quick win takes a few days "
        "at most and is free or low cost.",
        columns,
        rows,
    )


def _recognized(ws: Sheet, context: ReportContext) -> None:
    columns = [
        Column("Practice"),
        Column("Standing"),
        Column("ID"),
        Column("Sub-practice"),
        Column("Status"),
        Column("In place since", "date"),
        Column("Months in place", "count"),
        Column("12 months or more"),
        Column("Evidence", "long"),
        Column("Missing", "long"),
    ]
    rows: list[list[Value]] = []
    for p in context.recognized:
        name = f"{p.id} {p.name}"
        if not p.items:
            rows.append([name, p.standing.label, None, None, None, None, None, None, None, None])
        for i in p.items:
            rows.append(
                [
                    name,
                    p.standing.label,
                    i.id,
                    i.title,
                    status_label(i.status),
                    i.in_place_since,
                    i.months_in_place,
                    "Yes" if i.twelve_months else "No",
                    xl.joined(i.evidence),
                    xl.joined(i.missing),
                ]
            )
    xl.write_table(
        ws,
        "Recognized security practices",
        "Under Public Law 116-321, HHS considers whether recognized security practices such as "
        "HICP were in place for the previous 12 months when it settles a HIPAA enforcement "
        "action.",
        columns,
        rows,
    )


def _linked(rollup: Rollup) -> list[Value]:
    return [
        xl.percent_or_mark(rollup.coverage),
        len(rollup.sub_practices),
        ", ".join(rollup.linked_labels),
    ]


def _csf(ws: Sheet, context: ReportContext) -> None:
    cw = context.crosswalk
    rows: list[list[Value]] = []
    placed: set[str] = set()
    for function in cw.csf_functions:
        rows.append(["Function", function.id, function.name, *_linked(function)])
        # Categories follow their function (GV.PO under GV) so the sheet reads as an outline.
        for category in cw.csf_categories:
            if category.id.split(".")[0] == function.id:
                rows.append(["Category", category.id, category.name, *_linked(category)])
                placed.add(category.id)
    for category in cw.csf_categories:
        if category.id not in placed:
            rows.append(["Category", category.id, category.name, *_linked(category)])
    columns = [
        Column("Level"),
        Column("ID"),
        Column("Name"),
        Column("Coverage", "percent"),
        Column("Sub-practices", "count"),
        Column("Linked sub-practices", "long"),
    ]
    xl.write_table(
        ws,
        "NIST Cybersecurity Framework 2.0",
        "Links to CSF 2.0 are derived from HICP's CSF 1.1 references through NIST's 1.1-to-2.0 "
        "crosswalk. Coverage is the mean credit of the linked sub-practices in scope. A "
        "sub-practice marked (derived) borrows the references of a medium counterpart until "
        "HICP's own mapping of it is entered.",
        columns,
        rows,
    )


def _hipaa(ws: Sheet, context: ReportContext) -> None:
    columns = [
        Column("Standard"),
        Column("Name"),
        Column("Coverage", "percent"),
        Column("Sub-practices", "count"),
        Column("Related sub-practices", "long"),
    ]
    rows = [[h.id, h.name, *_linked(h)] for h in context.crosswalk.hipaa]
    xl.write_table(
        ws,
        "HIPAA Security Rule standards",
        "Standards the assessed sub-practices are related to. Related does not mean satisfied: "
        "doing these practices does not by itself meet the standard.",
        columns,
        rows,
    )


def _cpgs(ws: Sheet, context: ReportContext) -> None:
    def deciding(goal_deciding: tuple[tuple[str, float | None], ...]) -> str:
        return ", ".join(
            f"{sid} ({'does not apply' if c is None else f'{round(c * 100)}%'})"
            for sid, c in goal_deciding
        )

    columns = [
        Column("Goal"),
        Column("Tier"),
        Column("Title"),
        Column("State"),
        Column("Deciding sub-practices (credit)", "long"),
    ]
    rows = [
        [g.id, g.tier.capitalize(), g.title, g.state.label, deciding(g.deciding)]
        for g in context.crosswalk.goals
    ]
    xl.write_table(
        ws,
        "HHS Healthcare and Public Health Cybersecurity Performance Goals",
        "Essential and enhanced goals. The mapping from goals to HICP sub-practices is this "
        "project's own and has not been verified by HHS.",
        columns,
        rows,
    )


def _changes(ws: Sheet, changes: Diff) -> None:
    columns = [
        Column("ID"),
        Column("Sub-practice"),
        Column("Change"),
        Column("Before"),
        Column("After"),
        Column("Fields changed"),
    ]
    rows = [
        [
            i.id,
            i.title,
            i.change.label,
            status_label(i.before),
            status_label(i.after),
            ", ".join(f.replace("_", " ") for f in i.fields),
        ]
        for i in changes.items
    ]
    xl.write_table(
        ws,
        "Changes",
        f"Answers that changed between the assessment of {changes.before_date} and the one of "
        f"{changes.after_date}.",
        columns,
        rows,
    )


def render(context: ReportContext) -> bytes:
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    _summary(wb.active, context)
    wb.active.title = "Summary"
    sections = [
        (SUB_PRACTICES, _sub_practices),
        *([("Evidence", _evidence)] if context.evidence is not None else []),
        ("Action plan", _action_plan),
        ("Recognized practices", _recognized),
        ("CSF 2.0", _csf),
        ("HIPAA", _hipaa),
        ("HPH CPGs", _cpgs),
    ]
    for name, fill in sections:
        fill(wb.create_sheet(name), context)
    if context.changes is not None:
        _changes(wb.create_sheet("Changes"), context.changes)
    for ws in wb.worksheets:
        xl.fit_rows(ws)

    stamp = dt.datetime.combine(context.generated_on, dt.time())
    props = wb.properties
    props.title = context.title
    props.subject = "HHS 405(d) HICP cybersecurity assessment"
    props.creator = "hicp"
    props.created = props.modified = stamp
    buffer = io.BytesIO()
    # ExcelWriter, unlike openpyxl's save(), leaves the modified time as set above.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return pin_timestamps(buffer.getvalue(), context.generated_on)
