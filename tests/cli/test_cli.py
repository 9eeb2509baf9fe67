"""The `hicp` command line, used the way a person would use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hicp.assessment.store import load_assessment
from hicp.catalog import Catalog
from hicp.cli.main import app

runner = CliRunner()


def hicp(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.yaml"
    code, out, _ = hicp(
        "init", str(path), "--size", "small", "--name", "Maple Clinic", "--date", "2026-11-01"
    )
    assert code == 0, out
    return path


def test_help_lists_every_command() -> None:
    code, out, _ = hicp("--help")
    assert code == 0
    for command in ("catalog", "size", "init", "assess", "score", "plan", "validate"):
        assert command in out


def test_catalog_list_filters_by_tier_and_prints_json(catalog: Catalog) -> None:
    code, out, _ = hicp("catalog", "list", "--tier", "small", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "hicp.catalog.list/1"
    assert doc["count"] == 19
    assert {i["tier"] for i in doc["sub_practices"]} == {"small"}


def test_catalog_list_filters_combine() -> None:
    _, out, _ = hicp("catalog", "list", "--threat", "T1", "--practice", "1", "--format", "json")
    ids = [i["id"] for i in json.loads(out)["sub_practices"]]
    assert ids and all(i.startswith("1.") for i in ids)


def test_catalog_list_by_csf_function() -> None:
    _, out, _ = hicp("catalog", "list", "--function", "RS", "--format", "json")
    items = json.loads(out)["sub_practices"]
    assert items and all(any(r.startswith("RS.") for r in i["csf_2_0_derived"]) for i in items)


def test_catalog_show_prints_one_sub_practice_in_full() -> None:
    code, out, _ = hicp("catalog", "show", "7.M.D", "--format", "md")
    assert code == 0
    assert "Patch Management, Configuration Management, and Change Management" in out
    assert "PR.IP-12" in out and "Technical guidance" in out


def test_catalog_show_marks_unverified_entries() -> None:
    _, out, _ = hicp("catalog", "show", "4.S.A", "--format", "json")
    assert json.loads(out)["provenance"]["verified"] is False


def test_catalog_show_marks_borrowed_csf_references_as_derived() -> None:
    _, out, _ = hicp("catalog", "show", "8.S.A", "--format", "json")
    data = json.loads(out)
    assert data["csf_1_1_derived"] is True and data["csf_derived_from"] == ["8.M.B"]
    assert "RS.MI-01" in data["csf_2_0_derived"]
    _, text, _ = hicp("catalog", "show", "8.S.A", "--format", "md")
    assert "derived from 8.M.B" in text and "not HICP's own mapping" in text
    _, own, _ = hicp("catalog", "show", "7.M.D", "--format", "json")
    assert json.loads(own)["csf_1_1_derived"] is False


def test_catalog_show_and_search_find_a_2018_title_kept_as_an_alias() -> None:
    _, out, _ = hicp("catalog", "search", "Remote E-mail Access", "--format", "json")
    assert "1.M.B" in out
    _, shown, _ = hicp("catalog", "show", "1.M.B", "--format", "md")
    assert "Multi-Factor Authentication for Email Access" in shown
    assert "Multifactor Authentication for Remote E-mail Access" in shown
    assert "HICP 2023 edition" in shown


def test_catalog_show_unknown_id_exits_2_with_a_hint() -> None:
    code, _, err = hicp("catalog", "show", "7.M.Z")
    assert code == 2
    assert "'7.M.Z' is not a threat" in err and "hicp catalog list" in err


def test_catalog_search_finds_by_words() -> None:
    _, out, _ = hicp("catalog", "search", "medical device", "--format", "json")
    assert any(i["practice"] == "P9" for i in json.loads(out)["sub_practices"])


def test_size_reports_tier_and_reasons() -> None:
    code, out, _ = hicp(
        "size", "--providers", "4", "--beds", "0", "--it-staff", "none", "--format", "json"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["tier"] == "small"
    assert [r["key"] for r in doc["reasons"]] == ["providers", "beds", "it_staff"]


def test_size_with_a_bad_choice_exits_2() -> None:
    code, _, err = hicp("size", "--it-staff", "nephew")
    assert code == 2 and "it_staff" in err


def test_init_refuses_to_overwrite(clinic: Path) -> None:
    code, _, err = hicp("init", str(clinic), "--size", "small")
    assert code == 2 and "already exists" in err


def test_questionnaire_saves_each_answer_and_resumes(clinic: Path, catalog: Catalog) -> None:
    # y + since-date, n, s (not sure), d + justification, then quit.
    answers = "y\n2024-05\nn\ns\nd\nWe have no such thing\nq\n"
    code, out, _ = hicp("assess", str(clinic), input=answers)
    assert code == 0, out
    assert "Question 1 of 19" in out and "Saved." in out
    got = load_assessment(clinic, catalog).assessment.answers
    assert got["1.S.A"].status.value == "implemented"
    assert str(got["1.S.A"].in_place_since) == "2024-05-01"
    assert got["1.S.B"].status.value == "not_implemented"
    assert got["1.S.C"].status.value == "unknown"
    assert got["2.S.A"].status.value == "not_applicable"
    assert got["2.S.A"].justification == "We have no such thing"
    assert "4 of 19 answered; 15 to go" in out

    # The next run starts at the first unanswered question.
    code, out, _ = hicp("assess", str(clinic), input="k\nq\n")
    assert "Question 5 of 19" in out
    assert "15 to go (1 skipped)" in out


def test_questionnaire_stops_cleanly_at_end_of_input(clinic: Path, catalog: Catalog) -> None:
    code, out, _ = hicp("assess", str(clinic), input="p\n\n")
    assert code == 0
    assert load_assessment(clinic, catalog).assessment.answers["1.S.A"].status.value == "partial"
    assert "Resume with" in out


def test_questionnaire_rejects_an_unknown_key_and_asks_again(clinic: Path) -> None:
    code, out, _ = hicp("assess", str(clinic), input="x\nq\n")
    assert code == 0
    assert "Type one of" in out


def test_score_json_has_the_documented_shape(clinic: Path) -> None:
    code, out, _ = hicp("score", str(clinic), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "hicp.score/1"
    assert doc["organization"] == "Maple Clinic"
    assert [t["id"] for t in doc["threats"]] == ["T1", "T2", "T3", "T4", "T5"]
    assert {"coverage", "exposure", "answered", "total", "practices"} <= set(doc)


def test_plan_markdown_says_what_to_do_first(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "c.yaml"
    hicp("init", str(path), "--size", "small")
    hicp("assess", str(path), input="n\n" * 19)
    code, out, _ = hicp("plan", str(path), "--format", "md")
    assert code == 0
    assert "## What to do first" in out
    assert "1. Put in place:" in out


def test_plan_json_lists_phases_in_order(clinic: Path) -> None:
    _, out, _ = hicp("plan", str(clinic), "--format", "json")
    doc = json.loads(out)
    assert [p["key"] for p in doc["phases"]] == ["30d", "90d", "6m", "1y"]


def test_validate_good_file(clinic: Path) -> None:
    code, out, _ = hicp("validate", str(clinic))
    assert code == 0 and "is valid" in out


def test_validate_bad_file_names_file_line_and_field_and_exits_2(clinic: Path) -> None:
    text = clinic.read_text().replace("  tier: small", "  tier: tiny")
    clinic.write_text(text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "tier: tiny" in t)
    code, _, err = hicp("validate", str(clinic))
    assert code == 2
    assert f"{clinic}:{line} [organization.tier]" in err


def test_validate_json_reports_problems(clinic: Path) -> None:
    clinic.write_text(clinic.read_text().replace("status:\n", "status: maybe\n", 1))
    code, out, _ = hicp("validate", str(clinic), "--format", "json")
    assert code == 2
    doc = json.loads(out)
    assert doc["valid"] is False
    assert doc["problems"][0]["where"] == "answers.1.S.A.status"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = hicp("score", str(tmp_path / "nope.yaml"))
    assert code == 2 and "no such file" in err


def test_questionnaire_asks_again_for_an_unreadable_date(clinic: Path, catalog: Catalog) -> None:
    code, out, _ = hicp("assess", str(clinic), input="y\nlast spring\n2024\nq\n")
    assert code == 0
    assert "YYYY" in out
    answer = load_assessment(clinic, catalog).assessment.answers["1.S.A"]
    assert str(answer.in_place_since) == "2024-01-01"


def test_questionnaire_can_go_back_and_change_an_answer(clinic: Path, catalog: Catalog) -> None:
    hicp("assess", str(clinic), input="n\nb\ny\n\nq\n")
    assert (
        load_assessment(clinic, catalog).assessment.answers["1.S.A"].status.value == "implemented"
    )


def test_catalog_practices_states_its_known_gaps() -> None:
    _, out, _ = hicp("catalog", "practices", "--format", "json")
    gaps = json.loads(out)["known_gaps"]
    assert any("7.L.C" in gap for gap in gaps)
    _, table_out, _ = hicp("catalog", "practices")
    assert "Known gaps" in table_out


def test_diff_of_an_assessment_with_itself_is_empty(clinic: Path) -> None:
    code, out, _ = hicp("diff", str(clinic), str(clinic), "--format", "json")
    assert code == 0
    assert json.loads(out)["items"] == []


def test_diff_shows_what_improved(clinic: Path, tmp_path: Path) -> None:
    later = tmp_path / "later.yaml"
    later.write_text(clinic.read_text())
    hicp("assess", str(later), input="y\n\nq\n")
    _, out, _ = hicp("diff", str(clinic), str(later), "--format", "json")
    (item,) = json.loads(out)["items"]
    assert item["id"] == "1.S.A" and item["change"] == "newly_answered"


def test_trend_needs_two_assessments(clinic: Path) -> None:
    code, _, err = hicp("trend", str(clinic))
    assert code == 2 and "at least two" in err


def test_report_with_an_unknown_suffix_says_how_to_name_it(clinic: Path, tmp_path: Path) -> None:
    code, _, err = hicp("report", str(clinic), "-o", str(tmp_path / "report.txt"))
    assert code == 2 and ".pdf" in err


def test_report_refuses_to_overwrite_its_input(clinic: Path) -> None:
    before = clinic.read_text()
    code, _, err = hicp("report", str(clinic), "-o", str(clinic), "--format", "md")
    assert code == 2 and "input" in err
    assert clinic.read_text() == before


def test_review_keeps_a_recorded_date_when_enter_is_pressed(clinic: Path, catalog: Catalog) -> None:
    hicp("assess", str(clinic), input="y\n2023-04\nq\n")
    hicp("assess", str(clinic), "--review", input="y\n\nq\n")
    answer = load_assessment(clinic, catalog).assessment.answers["1.S.A"]
    assert str(answer.in_place_since) == "2023-04-01"


def test_a_refused_answer_is_explained_and_asked_again(clinic: Path, catalog: Catalog) -> None:
    # The assessment is dated 2026-11-01: a later in-place date is refused, then corrected.
    code, out, _ = hicp("assess", str(clinic), input="y\n2027-01\ny\n2025-01\nq\n")
    assert code == 0
    assert "Not saved: in_place_since is after the assessment date" in out
    answer = load_assessment(clinic, catalog).assessment.answers["1.S.A"]
    assert str(answer.in_place_since) == "2025-01-01"


def test_end_of_input_at_a_follow_up_question_stops_cleanly(clinic: Path, catalog: Catalog) -> None:
    code, out, _ = hicp("assess", str(clinic), input="n\nd\n")  # no justification typed
    assert code == 0
    answers = load_assessment(clinic, catalog).assessment.answers
    assert answers["1.S.A"].status.value == "not_implemented"
    assert answers["1.S.B"].status is None
    assert "Resume with" in out


def test_init_from_sizing_answers_records_the_profile(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "c.yaml"
    code, out, _ = hicp("init", str(path), "--providers", "30", "--beds", "80")
    assert code == 0 and "medium organization" in out
    org = load_assessment(path, catalog).assessment.organization
    assert org.tier.value == "medium"
    assert (org.profile.providers, org.profile.beds) == (30, 80)


def test_init_refuses_a_lower_included_tier_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    code, _, err = hicp("init", str(path), "--size", "medium", "--include", "small")
    assert code == 2 and "only add a higher tier" in err
    assert not path.exists()


@pytest.mark.parametrize("breaks", [False, True])
def test_validate_json_has_the_same_keys_for_good_and_bad_files(clinic: Path, breaks: bool) -> None:
    if breaks:
        clinic.write_text(clinic.read_text().replace("  tier: small", "  tier: tiny"))
    _, out, _ = hicp("validate", str(clinic), "--format", "json")
    assert set(json.loads(out)) == {
        "schema",
        "file",
        "valid",
        "in_scope",
        "answered",
        "warnings",
        "summary",
        "problems",
    }


@pytest.mark.parametrize("args", [["practices"], ["threats"], ["show", "7.M.D"], ["list"]])
def test_every_catalog_json_document_names_its_catalog_version(args: list[str]) -> None:
    _, out, _ = hicp("catalog", *args, "--format", "json")
    assert json.loads(out)["catalog_version"]


def test_docs_render_lays_a_pdf_out_on_the_paper_asked_for(clinic: Path) -> None:
    from tests.pdf_text import reader

    output = clinic.parent / "sheet.pdf"
    code, _, err = hicp("docs", "render", "awareness-ransomware", str(clinic), "-o", str(output))
    assert code == 0, err
    letter = reader(output.read_bytes()).pages[0].mediabox
    code, _, err = hicp(
        "docs", "render", "awareness-ransomware", str(clinic), "-o", str(output), "--paper", "a4"
    )
    assert code == 0, err
    a4 = reader(output.read_bytes()).pages[0].mediabox
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
