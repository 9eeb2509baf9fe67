"""The Markdown report: sections in order, real content, audience wording, escaped user input."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from hicp.assessment.models import Assessment, Status
from hicp.assessment.store import load_assessment
from hicp.catalog import Catalog, Tier
from hicp.reports.context import Audience, ReportContext, build_context
from hicp.reports.markdown_report import escape, evidence_sentence, render
from hicp.reports.wording import pct
from tests.conftest import EXAMPLES, assessment_data
from tests.reports.conftest import (
    EVIDENCE_CONFLICTS,
    EVIDENCE_NOTES,
    GENERATED_ON,
    SECTIONS,
    example_context,
    example_with_evidence,
)

HEADINGS = [f"## {title}" for title in SECTIONS]
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _md(context: ReportContext) -> str:
    return render(context).decode("utf-8")


def _section(md: str, heading: str) -> str:
    """The text of one top-level section, up to the next one."""
    start = md.index(heading + "\n")
    end = md.find("\n## ", start + len(heading))
    return md[start : end if end != -1 else len(md)]


def _tables(md: str) -> list[list[str]]:
    tables: list[list[str]] = []
    previous_was_row = False
    for line in md.splitlines():
        is_row = line.startswith("|")
        if is_row and not previous_was_row:
            tables.append([])
        if is_row:
            tables[-1].append(line)
        previous_was_row = is_row
    return tables


def test_the_sections_come_in_the_order_of_the_issue(context: ReportContext) -> None:
    top_level = [line for line in _md(context).splitlines() if line.startswith("## ")]
    assert top_level == HEADINGS


def test_the_title_names_the_organization_once_as_the_only_top_heading(
    context: ReportContext,
) -> None:
    h1 = [line for line in _md(context).splitlines() if line.startswith("# ")]
    assert h1 == [f"# HICP cybersecurity assessment: {escape(context.organization.name)}"]


def test_the_summary_lists_the_top_actions_with_owner_and_date(context: ReportContext) -> None:
    summary = _section(_md(context), "## Executive summary")
    first = context.top_actions[0]
    assert escape(first.title) in summary
    for action in context.top_actions:
        assert f"({action.id})" in summary
        if action.owner:
            assert f"owner: {escape(action.owner)}" in summary
        if action.overdue:  # past the report's date: overdue, never "by" a past date
            assert f"overdue since {action.due_date.isoformat()}" in summary
        elif action.target_date:
            assert f"by {action.target_date.isoformat()}" in summary


def test_the_summary_shows_each_threats_exposure_in_a_table_with_a_bar(
    context: ReportContext,
) -> None:
    summary = _section(_md(context), "## Executive summary")
    (table,) = _tables(summary)
    rows = table[2:]
    assert len(rows) == len(context.score.threats) == 5
    for row, threat in zip(rows, context.score.threats, strict=True):
        if threat.exposure is None:  # does not apply: the reason, never a percentage or a bar
            assert f"| Not applicable — {threat.not_applicable} |" in row
            assert "█" not in row and "%" not in row
            continue
        filled = round(threat.exposure * 20)
        assert f"| {pct(threat.exposure)} |" in row
        assert "`" + "█" * filled + "░" * (20 - filled) + "`" in row


def test_there_is_one_table_row_per_in_scope_sub_practice(context: ReportContext) -> None:
    section = _section(_md(context), "## Practice by practice")
    ids = [m.group(1) for m in re.finditer(r"^\| \*\*(\d+\.[SML]\.[A-Z])\*\*", section, re.M)]
    assert ids == [i.id for p in context.practices for i in p.items]
    assert len(ids) == context.score.total


def test_every_action_of_the_plan_appears_under_its_phase_in_order(
    context: ReportContext,
) -> None:
    phases = _section(_md(context), "## Action plan").split("\n### ")[1:]
    assert len(phases) == len(context.plan.phases)
    for text, phase in zip(phases, context.plan.phases, strict=True):
        assert text.startswith(escape(phase.label))
        listed = re.findall(r"^\d+\. \*\*.+?\*\* \(([^)]+)\)", text, re.M)
        assert listed == list(phase.actions)


def test_recognized_practices_explain_the_12_month_rule_and_give_each_standing(
    context: ReportContext,
) -> None:
    section = _section(_md(context), "## Recognized security practices")
    assert "Public Law 116-321" in section and "previous 12 months" in section
    for standing in context.recognized:
        assert f"| {escape(standing.name)} ({standing.id}) | {standing.standing.label} |" in section


def test_the_crosswalk_states_where_its_links_come_from(context: ReportContext) -> None:
    section = _section(_md(context), "## Crosswalk appendix")
    assert "derived from those references through NIST's CSF 1.1 to 2.0 crosswalk" in section
    assert "related" in section and "not by itself satisfy" in section
    assert "this project's own and has not been verified" in section
    for goal in context.crosswalk.goals:
        assert f"{goal.id} {escape(goal.title)}" in section


def test_the_small_clinics_crosswalk_marks_borrowed_csf_links_as_derived() -> None:
    context = example_context("small-clinic")
    section = _section(_md(context), "## Crosswalk appendix")
    recover = next(f for f in context.crosswalk.csf_functions if f.id == "RC")
    assert recover.derived == ("8.S.A",)
    row = next(line for line in section.splitlines() if line.startswith("| RC "))
    assert "8.S.A (derived)" in row
    assert "borrows those of a medium-organization counterpart" in section


def test_the_catalogs_known_gaps_are_noted_in_about_this_report(context: ReportContext) -> None:
    about = _section(_md(context), "## About this report")
    assert context.known_gaps
    for gap in context.known_gaps:
        assert f"- {escape(gap)}" in about


def test_every_table_row_has_as_many_cells_as_its_header(context: ReportContext) -> None:
    for table in _tables(_md(context)):
        counts = {len(UNESCAPED_PIPE.findall(row)) for row in table}
        assert len(counts) == 1, table[0]


def test_clinic_wording_is_plain_and_it_wording_is_technical() -> None:
    clinic = example_context("community-hospital", Audience.CLINIC)
    it = example_context("community-hospital", Audience.IT)
    clinic_md, it_md = _md(clinic), _md(it)
    first = clinic.top_actions[0]
    assert escape(first.summary) in clinic_md and escape(first.guidance) not in clinic_md
    assert escape(first.guidance) in it_md
    assert "CSF 1.1:" in it_md and "CSF 1.1:" not in clinic_md
    assert "NIST Cybersecurity Framework (CSF) 2.0" in clinic_md


def test_rendering_twice_gives_the_same_bytes(context: ReportContext) -> None:
    assert render(context) == render(context)


# Changes since a previous assessment --------------------------------------------------------


def _with_previous(catalog: Catalog, worse: int = 3) -> tuple[ReportContext, list[str]]:
    current = load_assessment(EXAMPLES / "small-clinic.yaml", catalog).assessment
    data = current.model_dump(mode="json")
    data["assessment"]["date"] = "2025-10-15"
    improved = [sid for sid, a in current.answers.items() if a.status is Status.IMPLEMENTED][:worse]
    for sid in improved:
        data["answers"][sid].update(status="not_implemented", in_place_since=None)
    older = Assessment.model_validate(data)
    context = build_context(catalog, current, previous=older, generated_on=GENERATED_ON)
    return context, improved


def test_the_summary_says_what_changed_since_the_previous_assessment(catalog: Catalog) -> None:
    context, improved = _with_previous(catalog)
    assert context.changes is not None
    summary = _section(_md(context), "## Executive summary")
    assert "### Changes since the previous assessment (2025-10-15)" in summary
    for sid in improved:
        row = next(line for line in summary.splitlines() if line.startswith(f"| {sid} "))
        assert "| Improved |" in row and "Not implemented → Implemented" in row
    assert f"{pct(context.changes.scores.exposure_before)} → " in summary


def test_without_a_previous_assessment_there_is_no_changes_section(
    context: ReportContext,
) -> None:
    assert context.changes is None
    assert "Changes since the previous assessment" not in _md(context)


# Escaping user input ------------------------------------------------------------------------

EVIL_NAME = "# Evil <script>alert('name')</script> | *Clinic*"
EVIL_NOTES = (
    "first | second\n# Injected heading\n<img src=x onerror=alert(1)>\n- injected item\n"
    "[click](javascript:alert(1)) & `code`"
)


@pytest.fixture(scope="module")
def evil_md(catalog: Catalog) -> str:
    data: dict[str, Any] = assessment_data(catalog, Tier.SMALL, default="partial")
    data["organization"]["name"] = EVIL_NAME
    data["answers"]["1.S.A"].update(
        notes=EVIL_NOTES,
        owner="<b>Boss</b> | IT",
        evidence=["<a href='javascript:alert(2)'>policy</a>", "=== 1. list"],
    )
    data["answers"]["2.S.A"].update(status="not_applicable", justification="---\n> quoted")
    assessment = Assessment.model_validate(data)
    context = build_context(catalog, assessment, audience=Audience.IT, generated_on=GENERATED_ON)
    return _md(context)


def test_no_html_from_the_assessment_reaches_the_markdown(evil_md: str) -> None:
    assert re.findall(r"<(?!br>)", evil_md) == []  # the only tag is the report's own <br>
    assert "&lt;script&gt;alert('name')&lt;/script&gt;" in evil_md
    assert "&lt;img src=x onerror=alert(1)&gt;" in evil_md
    assert "&amp; \\`code\\`" in evil_md


def test_user_text_cannot_start_a_heading_list_quote_or_link(evil_md: str) -> None:
    lines = evil_md.splitlines()
    assert lines[0] == (
        "# HICP cybersecurity assessment: \\# Evil &lt;script&gt;alert('name')&lt;/script&gt; "
        "\\| \\*Clinic\\*"
    )
    assert [line for line in lines if line.startswith("# ")] == [lines[0]]
    assert not any(
        line.startswith(("# Injected", "- injected", ">", "---", "===")) for line in lines
    )
    assert "\\[click\\](javascript:alert(1))" in evil_md
    assert "<br>\\# Injected heading<br>" in evil_md and "<br>\\- injected item<br>" in evil_md


def test_pipes_and_line_breaks_in_user_text_stay_inside_their_cell(evil_md: str) -> None:
    row = next(line for line in evil_md.splitlines() if line.startswith("| **1.S.A**"))
    assert len(UNESCAPED_PIPE.findall(row)) == 7  # six cells
    assert "first \\| second<br>" in row and "&lt;b&gt;Boss&lt;/b&gt; \\| IT" in row
    for table in _tables(evil_md):
        assert len({len(UNESCAPED_PIPE.findall(r)) for r in table}) == 1


def test_a_commonmark_parser_reads_the_users_text_back_literally(evil_md: str) -> None:
    # markdown-it-py comes with rich; raw HTML is on, as on GitHub, so a leak would show as a tag
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    page = parser.render(evil_md)
    tags = set(re.findall(r"</?([a-z0-9]+)", page))
    assert tags <= {"h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "code", "br"} | {
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
    assert f"<h1>HICP cybersecurity assessment: {html.escape(EVIL_NAME, quote=False)}</h1>" in page
    notes = "<br>".join(html.escape(line, quote=False) for line in EVIL_NOTES.split("\n"))
    assert f"<td>{notes}</td>" in page


# Imported tool evidence -----------------------------------------------------------------------


def _item_line(md: str, item_id: str) -> str:
    section = _section(md, "## Practice by practice")
    return next(line for line in section.splitlines() if line.startswith(f"| **{item_id}**"))


def test_the_summary_counts_the_answers_the_tool_evidence_contradicts(
    evidence_context: ReportContext,
) -> None:
    summary = _section(_md(evidence_context), "## Executive summary")
    assert (
        "- **Conflicts:** 3 answers are contradicted by the evidence imported from your tools; "
        "see “Practice by practice”"
    ) in summary


def test_technical_readers_get_the_count_in_technical_words(tmp_path: Path) -> None:
    context = example_with_evidence(tmp_path, Audience.IT)
    md = _md(context)
    assert "3 answers claim more than the imported tool evidence supports" in md
    assert "`hicp evidence show ASSESSMENT --rule RULE`" in md
    assert "`endpoint-agent-coverage`" in md


def test_each_conflict_and_note_sits_in_its_items_row(evidence_context: ReportContext) -> None:
    md = _md(evidence_context)
    for item in (i for p in evidence_context.practices for i in p.items):
        line = _item_line(md, item.id)
        if item.id in EVIDENCE_CONFLICTS:
            assert item.evidence_conflict
            assert (
                "**Conflict with the evidence from your tools:** "
                f"{escape(evidence_sentence(item.evidence_conflict))}<br>"
            ) in line
        else:
            assert "Conflict" not in line, item.id
        if item.id in EVIDENCE_NOTES:
            assert item.evidence_note
            note = escape(evidence_sentence(item.evidence_note))
            assert f"*Evidence from your tools:* {note}" in line
    agents = _item_line(md, "2.M.A")
    assert "3 of 10 workstations and servers have no endpoint-protection agent" in agents


def test_the_evidence_subsection_closes_practice_by_practice_with_every_rule(
    evidence_context: ReportContext,
) -> None:
    assert evidence_context.evidence is not None
    md = _md(evidence_context)
    assert [line for line in md.splitlines() if line.startswith("## ")] == HEADINGS
    practices = _section(md, "## Practice by practice")
    subsection = practices[practices.index("### Evidence from your tools\n") :]
    assert "\n### " not in subsection  # the last subsection
    for line in evidence_context.evidence.imports:
        assert f"- {escape(line)}\n" in subsection
    (table,) = _tables(subsection)
    assert len(table) == 2 + len(evidence_context.evidence.rules)
    for row, rule in zip(table[2:], evidence_context.evidence.rules, strict=True):
        assert row.startswith(f"| {escape(rule.title)} |")
        assert f"| {rule.total - rule.bad} of {rule.total} ({pct(rule.share)}) |" in row
        assert f"| {rule.supports.label} | {escape(rule.explanation)} |" in row
        assert all(sid in row for sid in rule.sub_practices)
    assert "| 7 of 10 (70%) | Not implemented |" in subsection


def test_without_evidence_nothing_about_tool_evidence_appears(context: ReportContext) -> None:
    md = _md(context)
    assert "Evidence from your tools" not in md and "Conflict" not in md
    assert "contradicted" not in md


def test_file_names_of_imports_are_escaped(evidence_context: ReportContext) -> None:
    assert evidence_context.evidence is not None
    evidence = evidence_context.evidence.model_copy(
        update={"imports": ("inventory: <b>x</b>|y.csv (1 records)",)}
    )
    md = _md(evidence_context.model_copy(update={"evidence": evidence}))
    assert "- inventory: &lt;b&gt;x&lt;/b&gt;\\|y.csv (1 records)" in md
