"""SVG charts: one mark per thing counted, text alternatives, escaped labels, stable output."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from hicp.assessment.models import Assessment, Status
from hicp.assessment.store import load_assessment
from hicp.catalog import Catalog
from hicp.reports import charts
from hicp.reports.context import ReportContext, build_context
from hicp.reports.trend import Trend, build_trend
from hicp.reports.wording import pct
from tests.conftest import EXAMPLES
from tests.reports.conftest import GENERATED_ON, example_context

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    """Parsing as XML also proves the markup is well formed (every label escaped)."""
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def _groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def _trend(catalog: Catalog) -> Trend:
    """The community hospital now, and six months earlier with four fewer items in place."""
    current = load_assessment(EXAMPLES / "community-hospital.yaml", catalog).assessment
    data = current.model_dump(mode="json")
    data["assessment"]["date"] = "2026-03-31"
    done = [sid for sid, a in current.answers.items() if a.status is Status.IMPLEMENTED][:4]
    for sid in done:
        data["answers"][sid].update(status="not_implemented", in_place_since=None)
    return build_trend(catalog, [Assessment.model_validate(data), current])


def test_coverage_chart_has_one_bar_per_assessed_practice(context: ReportContext) -> None:
    bars = _groups(_parse(charts.coverage_bars(context)), "bar")
    assert [b.get("data-practice") for b in bars] == [p.id for p in context.practices]


def test_each_coverage_bar_is_as_long_as_the_practice_is_covered() -> None:
    context = example_context("community-hospital")
    root = _parse(charts.coverage_bars(context))
    for bar, practice in zip(_groups(root, "bar"), context.practices, strict=True):
        track, filled = bar.findall(f"{SVG}rect")
        assert practice.coverage is not None
        width = float(filled.get("width", "0"))
        assert width == pytest.approx(float(track.get("width", "0")) * practice.coverage, abs=0.1)
        assert pct(practice.coverage) in "".join(bar.itertext())


def test_a_practice_where_nothing_applies_is_labelled_not_scored() -> None:
    context = example_context("small-clinic")  # every medical-device item is N/A there
    bars = _groups(_parse(charts.coverage_bars(context)), "bar")
    unscored = [b for b in bars if "not scored" in "".join(b.itertext())]
    assert [b.get("data-practice") for b in unscored] == [
        p.id for p in context.practices if p.coverage is None
    ]


def test_heatmap_has_one_cell_per_threat_practice_pair(context: ReportContext) -> None:
    root = _parse(charts.heatmap(context))
    cells = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "cell"]
    assert sorted((c.get("data-threat"), c.get("data-practice")) for c in cells) == sorted(
        (h.threat, h.practice) for h in context.heatmap
    )


def test_heatmap_cells_show_the_residual_share_and_weight() -> None:
    context = example_context("community-hospital")
    svg = charts.heatmap(context)
    for cell in context.heatmap:
        assert cell.residual_share is not None
        assert f">{cell.residual_share:.1f}</text>" in svg
    assert svg.count(">weight ") == len(context.heatmap)


def test_heatmap_marks_unscored_cells(catalog: Catalog) -> None:
    clinic = load_assessment(EXAMPLES / "small-clinic.yaml", catalog).assessment
    # The clinic's only vulnerability-management item marked not applicable: P7 is not scored
    # against the threats it serves (its medical-device practice takes T5 out altogether).
    answers = clinic.model_dump(mode="json")["answers"] | {
        "7.S.A": {"status": "not_applicable", "justification": "Tested here"}
    }
    assessment = Assessment.model_validate(clinic.model_dump(mode="json") | {"answers": answers})
    context = build_context(catalog, assessment, generated_on=GENERATED_ON)
    unscored = [c for c in context.heatmap if c.residual_share is None]
    assert {c.practice for c in unscored} == {"P7"}
    assert "T5" not in {c.threat for c in context.heatmap}
    svg = charts.heatmap(context)
    # One label per unscored cell, plus the legend's explanation of the hatching.
    assert svg.count(">not scored</text>") == len(unscored)
    assert "not scored (nothing in the practice applies)" in svg


def test_exposure_chart_has_a_bar_per_threat_with_its_percentage(context: ReportContext) -> None:
    root = _parse(charts.exposure_bars(context))
    bars = _groups(root, "bar")
    assert [b.get("data-threat") for b in bars] == [t.id for t in context.score.threats]
    for bar, threat in zip(bars, context.score.threats, strict=True):
        # A threat that does not apply (the clinic's medical devices) is named so, not a 0-100%.
        expected = "Not applicable" if threat.exposure is None else pct(threat.exposure)
        assert expected in "".join(bar.itertext())


def test_exposure_chart_shows_the_previous_value_when_there_is_one(catalog: Catalog) -> None:
    current = load_assessment(EXAMPLES / "small-clinic.yaml", catalog).assessment
    older = Assessment.model_validate(
        current.model_dump(mode="json")
        | {"answers": {}}
        | {"assessment": {"date": "2025-10-15", "catalog_version": catalog.version}}
    )
    context = build_context(catalog, current, previous=older, generated_on=GENERATED_ON)
    labels = [t.text or "" for t in _parse(charts.exposure_bars(context)).iter(f"{SVG}text")]
    # Nothing was answered before, so every threat was fully exposed.
    assert [x for x in labels if x.endswith("(was 100%)")] == [
        f"{pct(t.exposure)} (was 100%)" for t in context.score.applicable_threats
    ]


@pytest.mark.parametrize(
    "draw",
    [charts.coverage_bars, charts.exposure_bars, charts.heatmap],
    ids=["coverage", "exposure", "heatmap"],
)
def test_every_chart_is_an_image_with_a_title_and_description(
    context: ReportContext, draw: Callable[[ReportContext, str], str]
) -> None:
    root = _parse(draw(context, "chart-x"))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and (title.text or "").strip()
    assert desc is not None and len(desc.text or "") > 40
    assert root.get("aria-labelledby") == "chart-x-title chart-x-desc"
    assert title.get("id") == "chart-x-title" and desc.get("id") == "chart-x-desc"


def test_chart_description_states_every_value_in_words() -> None:
    context = example_context("health-system")
    desc = _parse(charts.coverage_bars(context)).find(f"{SVG}desc")
    assert desc is not None
    for practice in context.practices:
        assert f"{practice.name} {pct(practice.coverage)}" in (desc.text or "")


def test_chart_labels_are_escaped() -> None:
    context = example_context("community-hospital")
    hostile = 'R&D <script>alert("x")</script>'
    practices = tuple(p.model_copy(update={"name": hostile}) for p in context.practices)
    svg = charts.coverage_bars(context.model_copy(update={"practices": practices}))
    assert "<script" not in svg
    labels = [t.text for t in _parse(svg).iter(f"{SVG}text")]
    assert labels.count(hostile) == len(practices)


def test_charts_are_the_same_for_the_same_assessment() -> None:
    first, second = example_context("health-system"), example_context("health-system")
    for draw in (charts.coverage_bars, charts.exposure_bars, charts.heatmap):
        assert draw(first) == draw(second)


def test_trend_chart_draws_coverage_and_exposure_through_every_date(catalog: Catalog) -> None:
    trend = _trend(catalog)
    root = _parse(charts.trend_chart(trend))
    series = _groups(root, "series")
    assert [s.get("data-series") for s in series] == ["Coverage", "Exposure"]
    for s in series:
        assert len(s.findall(f"{SVG}circle")) == len(trend.points)
    text = "".join(root.itertext())
    for point in trend.points:
        assert f"{point.date.day} " in text and str(point.date.year) in text
        assert pct(point.coverage) in text and pct(point.exposure) in text


def test_threat_trend_chart_has_a_named_line_per_threat(catalog: Catalog) -> None:
    trend = _trend(catalog)
    root = _parse(charts.threat_trend_chart(trend))
    names = [s.get("data-series") for s in _groups(root, "series")]
    assert names == [short for _, short in trend.threat_names]
    latest = dict(trend.points[-1].threats)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    for tid, short in trend.threat_names:
        assert f"{short} {pct(latest[tid])}" in labels


def test_dates_on_the_trend_axis_do_not_depend_on_the_locale(catalog: Catalog) -> None:
    svg = charts.trend_chart(_trend(catalog))
    assert ">31 Mar 2026</text>" in svg and ">30 Sep 2026</text>" in svg
    assert not re.search(r"\d{4}-\d{2}-\d{2}</text>", svg)
    # Oldest on the left.
    assert svg.index(">31 Mar 2026</text>") < svg.index(">30 Sep 2026</text>")


def test_stacked_counts_draws_each_rows_parts_to_scale_with_escaped_labels() -> None:
    rows = [
        charts.StackedRow(
            "T1",
            "<Phishing> & co",
            (charts.Segment(3, "#b42318", "#fff"), charts.Segment(1, "#e4e7ec", "#000")),
            "3 high, 1 without results",
        ),
        charts.StackedRow("T2", "Ransomware", (charts.Segment(4, "#e69f00", "#000"),), "4 medium"),
    ]
    svg = charts.stacked_counts(
        rows,
        [[("#b42318", "High"), ("#e69f00", "Medium")], [("#e4e7ec", "No results yet")]],
        title="Facilities by level",
        desc="Four facilities",
        chart_id="chart-test",
    )
    root = _parse(svg)  # well-formed: the label's < and & were escaped
    bars = _groups(root, "bar")
    widths = [[float(r.get("width", 0)) for r in bar.iter(f"{SVG}rect")] for bar in bars]

    assert [bar.get("data-key") for bar in bars] == ["T1", "T2"]
    assert widths[0] == [pytest.approx(225.0), pytest.approx(75.0)]  # 3 and 1 of 4 on 300
    assert widths[1] == [pytest.approx(300.0)]
    assert "&lt;Phishing&gt; &amp; co" in svg
    assert "3 high, 1 without results" in svg and "No results yet" in svg
