"""The HTML report: self-contained, accessible structure, the example's real content, escaped."""

from __future__ import annotations

import itertools
import re
from functools import cache
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hicp.assessment.models import Assessment
from hicp.assessment.store import load_assessment
from hicp.catalog import default_catalog
from hicp.reports.context import Audience, ReportContext
from hicp.reports.html_report import render, render_trend
from hicp.reports.trend import build_trend
from hicp.reports.wording import action_label, pct
from tests.conftest import EXAMPLES
from tests.reports.conftest import (
    EVIDENCE_CONFLICTS,
    EVIDENCE_NOTES,
    EXAMPLE_NAMES,
    SECTIONS,
    example_context,
    example_with_evidence,
    items_of,
    previous_context,
)

# Anything that would make a browser fetch: a scheme or protocol-relative URL in src/href,
# a CSS url() or @import, scripts, frames, embedded objects, stylesheet links.
EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|srcset|action|data)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|//))"""
    r"""|url\(\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|//)|@import|<script|<iframe|<object|<embed|<link""",
    re.IGNORECASE,
)


class Outline(HTMLParser):
    """Headings, tables (with their cells and captions), SVGs and rows, as a reader meets them."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.tables: list[dict[str, list[str]]] = []
        self.svgs: list[list[str]] = []
        self.lang: str | None = None
        self._heading: int | None = None
        self._text: list[str] = []
        self._table: list[dict[str, list[str]]] = []
        self._svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "html":
            self.lang = attr.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = int(tag[1]), []
        if tag == "table":
            self._table.append({"th": [], "scope": [], "caption": [], "tr": [], "class": []})
            self._table[-1]["class"].append(attr.get("class") or "")
        if self._table and tag in ("th", "caption", "tr"):
            self._table[-1][tag].append(tag)
            if tag == "th":
                self._table[-1]["scope"].append(attr.get("scope") or "")
        if tag == "svg":
            self.svgs.append([])
        if self.svgs and tag in ("title", "desc") and tag not in self.svgs[-1]:
            self.svgs[-1].append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._heading and tag == f"h{self._heading}":
            self.headings.append((self._heading, " ".join("".join(self._text).split())))
            self._heading = None
        if tag == "table" and self._table:
            self.tables.append(self._table.pop())

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._text.append(data)


@cache
def _html(name: str, audience: Audience = Audience.CLINIC) -> str:
    return render(example_context(name, audience)).decode("utf-8")


def _outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def _section(html: str, section_id: str) -> str:
    """One top-level section, up to the next (sections nested in it have no id attribute)."""
    start = html.index(f'<section id="{section_id}"')
    ends = [html.find(mark, start + 1) for mark in ('\n<section id="', "\n</main>")]
    return html[start : min(e for e in ends if e > 0)]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_report_makes_no_external_requests(name: str) -> None:
    html = _html(name)
    assert EXTERNAL.findall(html) == []


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_headings_start_at_one_h1_and_never_skip_a_level(name: str) -> None:
    outline = _outline(_html(name))
    levels = [level for level, _ in outline.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, outline.headings


def test_the_sections_come_in_the_order_of_the_issue() -> None:
    h2 = [text for level, text in _outline(_html("community-hospital")).headings if level == 2]
    assert h2 == SECTIONS


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_document_declares_its_language(name: str) -> None:
    assert _outline(_html(name)).lang == "en"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_chart_has_a_title_and_description(name: str) -> None:
    svgs = _outline(_html(name)).svgs
    assert len(svgs) == 3  # threat exposure, practice coverage, heat map
    assert all(parts == ["title", "desc"] for parts in svgs)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_table_has_a_caption_and_scoped_header_cells(name: str) -> None:
    tables = _outline(_html(name)).tables
    assert tables
    for table in tables:
        assert table["caption"] and table["th"]
        assert set(table["scope"]) <= {"col", "row"} and "" not in table["scope"]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_summary_names_the_top_actions_with_their_owners(name: str) -> None:
    context = example_context(name)
    summary = _section(_html(name), "summary")
    assert context.top_actions
    for action in context.top_actions:
        assert action_label(action) in summary.replace("&amp;", "&")
        if action.owner:
            assert action.owner in summary


def test_the_summary_gives_overall_coverage_and_exposure_per_threat() -> None:
    context = example_context("small-clinic")
    summary = _section(_html("small-clinic"), "summary")
    assert f'<span class="value">{pct(context.score.coverage)}</span>' in summary
    assert f'<span class="value">{pct(context.score.exposure)}</span>' in summary
    for threat in context.threats:
        assert threat.short in summary
    assert "Larkspur Hollow Family Practice" in _html("small-clinic")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_there_is_one_row_per_in_scope_sub_practice(name: str) -> None:
    context = example_context(name)
    tables = [t for t in _outline(_html(name)).tables if "items" in t["class"][0]]
    assert len(tables) == len(context.practices)
    for table, practice in zip(tables, context.practices, strict=True):
        assert len(table["tr"]) == 1 + len(practice.items)  # header row + one per item


def test_the_practice_rows_carry_owner_notes_and_evidence() -> None:
    context = example_context("community-hospital")
    practices = _section(_html("community-hospital"), "practices").replace("&#39;", "'")
    item = context.practices[0].items[0]
    assert item.owner and item.notes and item.evidence
    assert item.notes in practices
    for line in item.evidence:
        assert f"<li>{line}</li>" in practices


def test_every_planned_action_appears_under_its_phase() -> None:
    context = example_context("health-system")
    plan = _section(_html("health-system"), "plan").replace("&amp;", "&")
    for phase in context.plan.phases:
        assert f">{phase.label}</h3>" in plan
    for action in context.plan.actions:
        assert action_label(action) in plan


def test_the_recognized_section_says_why_twelve_months_matter() -> None:
    context = example_context("community-hospital")
    section = _section(_html("community-hospital"), "recognized")
    assert "Public Law 116-321" in section and "previous 12 months" in section
    for standing in context.recognized:
        assert standing.standing.label in section


def test_the_small_clinics_crosswalk_lists_respond_and_recover_with_derived_marks() -> None:
    section = _section(_html("small-clinic"), "crosswalk")
    assert "Respond" in section and "Recover" in section and "Detect" in section
    assert "8.S.A (derived)" in section
    assert "borrows those of a medium-organization counterpart" in section


def test_the_crosswalk_says_where_its_links_come_from() -> None:
    section = _section(_html("community-hospital"), "crosswalk")
    assert "derived from those references through NIST" in section
    assert "does not by itself satisfy" in section
    assert "has not been verified" in section
    for tier in ("Essential goals", "Enhanced goals"):
        assert tier in section


def test_the_about_note_lists_the_catalog_known_gaps() -> None:
    context = example_context("small-clinic")
    about = _section(_html("small-clinic"), "about")
    assert len(context.known_gaps) == about.count("<li>")
    assert "<code>hicp catalog list --unverified</code>" in about


def test_clinic_readers_get_plain_questions_and_it_readers_get_csf_references() -> None:
    item = example_context("community-hospital").practices[0].items[0]
    clinic = _html("community-hospital", Audience.CLINIC).replace("&#39;", "'")
    it = _html("community-hospital", Audience.IT).replace("&#39;", "'")
    assert item.question in clinic and item.question not in it
    refs = "CSF 1.1: " + ", ".join(item.csf_1_1)
    assert refs in it and refs not in clinic


def test_changes_since_the_previous_assessment_are_summarised_and_listed() -> None:
    context = previous_context("community-hospital")
    assert context.changes is not None
    html = render(context).decode("utf-8")
    summary = _section(html, "summary")
    assert "Changes since the previous assessment (March 31, 2026)" in summary
    assert f"Was {pct(context.changes.scores.exposure_before)} on March 31, 2026" in summary
    changes = _section(html, "changes")
    for item in context.changes.items:
        assert item.title in changes


def test_without_a_previous_assessment_there_are_no_changes() -> None:
    html = _html("community-hospital")
    assert "Changes since" not in html and 'id="changes"' not in html


def test_user_text_is_escaped_everywhere_it_appears() -> None:
    context = example_context("small-clinic")
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    organization = context.organization.model_copy(update={"name": hostile, "assessor": hostile})
    first = context.practices[0]
    items = (
        first.items[0].model_copy(
            update={"notes": hostile, "owner": hostile, "evidence": (hostile,)}
        ),
        *first.items[1:],
    )
    practices = (first.model_copy(update={"items": items}), *context.practices[1:])
    html = render(
        context.model_copy(update={"organization": organization, "practices": practices})
    ).decode("utf-8")
    assert "<script" not in html and "<img" not in html
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x"
    assert html.count(escaped) >= 6  # title, h1, assessor twice, owner, notes, evidence


def test_rendering_is_deterministic_for_the_same_assessment() -> None:
    first = render(example_context("health-system"))
    assert first == render(example_context("health-system"))


def test_the_trend_page_is_self_contained_and_shows_every_date() -> None:
    catalog = default_catalog()
    current = load_assessment(EXAMPLES / "small-clinic.yaml", catalog).assessment
    data = current.model_dump(mode="json")
    data["assessment"]["date"] = "2025-10-15"
    data["organization"]["name"] = current.organization.name
    older = Assessment.model_validate(data | {"answers": {}})
    html = render_trend(build_trend(catalog, [current, older])).decode("utf-8")
    assert EXTERNAL.findall(html) == []
    outline = _outline(html)
    assert [level for level, _ in outline.headings] == [1, 2, 2, 2]
    assert current.organization.name in outline.headings[0][1]
    assert len(outline.svgs) == 2 and all(s == ["title", "desc"] for s in outline.svgs)
    assert "October 15, 2025" in html and "October 15, 2026" in html


# Imported tool evidence -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def evidence_html(evidence_context: ReportContext) -> str:
    return render(evidence_context).decode("utf-8")


def _item_row(html: str, item_id: str) -> str:
    """The practice table row of one sub-practice, its entities decoded."""
    practices = _section(html, "practices")
    at = practices.index(f'<span class="id">{item_id}</span>')  # the row comes before the rules
    return unescape(practices[practices.rindex("<tr", 0, at) : practices.index("</tr>", at)])


def test_the_summary_says_how_many_answers_the_tool_evidence_contradicts(
    evidence_context: ReportContext, evidence_html: str
) -> None:
    assert evidence_context.evidence is not None and evidence_context.evidence.conflicts == 3
    summary = _section(evidence_html, "summary")
    assert "3 answers are contradicted by the evidence imported from your tools" in summary
    assert "“Practice by practice”" in summary


def test_each_contradicted_answer_is_flagged_as_a_conflict_in_its_own_row(
    evidence_context: ReportContext, evidence_html: str
) -> None:
    for item in items_of(evidence_context):
        row = _item_row(evidence_html, item.id)
        if item.id in EVIDENCE_CONFLICTS:
            assert item.evidence_conflict
            assert '<span class="chip conflict">Conflict</span>' in row
            assert item.evidence_conflict[1:] in row  # the engine's clause, sentence-cased
        else:
            assert "Conflict" not in row, item.id
    agents = _item_row(evidence_html, "2.M.A")
    assert "3 of 10 workstations and servers have no endpoint-protection agent" in agents


def test_evidence_stronger_than_the_answer_is_shown_as_a_note(
    evidence_context: ReportContext, evidence_html: str
) -> None:
    for item in items_of(evidence_context):
        if item.id in EVIDENCE_NOTES:
            assert item.evidence_note and item.evidence_note[1:] in _item_row(
                evidence_html, item.id
            )


def test_the_evidence_subsection_closes_practice_by_practice_with_every_rule(
    evidence_context: ReportContext, evidence_html: str
) -> None:
    assert evidence_context.evidence is not None
    h2 = [text for level, text in _outline(evidence_html).headings if level == 2]
    assert h2[1:3] == ["Practice by practice", "Action plan"]
    practices = unescape(_section(evidence_html, "practices"))
    subsection = practices[practices.index('<h3 id="evidence">Evidence from your tools</h3>') :]
    assert "<h3" not in subsection[1:]  # the last subsection of the practices
    for line in evidence_context.evidence.imports:
        assert f"<li>{line}</li>" in subsection
    rows = subsection.split("<tr>")[2:]  # after the header row
    assert len(rows) == len(evidence_context.evidence.rules) == 5
    for row, rule in zip(rows, evidence_context.evidence.rules, strict=True):
        assert rule.title in row and rule.explanation in row
        assert f"{rule.total - rule.bad} of {rule.total} ({pct(rule.share)})" in row
        assert rule.supports.label in row
        assert all(f'<span class="id">{sid}</span>' in row for sid in rule.sub_practices)
    assert "<td>7 of 10 (70%)</td>" in subsection


def test_the_report_with_evidence_keeps_its_accessible_structure(evidence_html: str) -> None:
    outline = _outline(evidence_html)
    assert EXTERNAL.findall(evidence_html) == []
    levels = [level for level, _ in outline.headings]
    assert all(after <= before + 1 for before, after in itertools.pairwise(levels))
    for table in outline.tables:
        assert table["caption"] and "" not in table["scope"]


def test_without_evidence_nothing_about_tool_evidence_appears() -> None:
    html = _html("community-hospital")
    for text in ("Evidence from your tools", "contradicted", "chip conflict", '"has-conflict"'):
        assert text not in html


def test_evidence_text_is_escaped(evidence_context: ReportContext) -> None:
    hostile = '<script>alert("x")</script>'
    assert evidence_context.evidence is not None
    evidence = evidence_context.evidence.model_copy(update={"imports": (hostile,)})
    first = evidence_context.practices[0]
    items = (first.items[0].model_copy(update={"evidence_conflict": hostile}), *first.items[1:])
    practices = (first.model_copy(update={"items": items}), *evidence_context.practices[1:])
    html = render(
        evidence_context.model_copy(update={"evidence": evidence, "practices": practices})
    ).decode("utf-8")
    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 2


def test_technical_readers_get_rule_ids_and_the_drill_down_command(tmp_path: Path) -> None:
    html = render(example_with_evidence(tmp_path, Audience.IT)).decode("utf-8")
    assert "3 answers claim more than the imported tool evidence supports" in html
    assert "<code>hicp evidence show ASSESSMENT --rule RULE</code>" in html
    assert '<span class="detail">endpoint-agent-coverage</span>' in html
