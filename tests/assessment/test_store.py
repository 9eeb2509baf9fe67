"""Assessment files: precise errors with file and line, nothing written on error, comments kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hicp.assessment.models import Status
from hicp.assessment.store import (
    create_assessment,
    load_assessment,
    new_assessment_text,
    record_answer,
)
from hicp.catalog import Catalog, Tier
from hicp.errors import AssessmentError


@pytest.fixture
def clinic(tmp_path: Path, catalog: Catalog) -> Path:
    path = tmp_path / "clinic.yaml"
    text = new_assessment_text(
        catalog, name="Maple Clinic", tier=Tier.SMALL, date=dt.date(2026, 11, 1), assessor="Dana"
    )
    create_assessment(path, text, catalog)
    return path


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def _error(path: Path, catalog: Catalog) -> AssessmentError:
    with pytest.raises(AssessmentError) as info:
        load_assessment(path, catalog)
    return info.value


def test_new_file_lists_every_in_scope_item_unanswered(clinic: Path, catalog: Catalog) -> None:
    loaded = load_assessment(clinic, catalog)
    assert set(loaded.assessment.answers) == {sp.id for sp in catalog.in_scope(Tier.SMALL)}
    assert all(a.status is None for a in loaded.assessment.answers.values())
    assert "# Email System Configuration" in clinic.read_text()


def test_init_refuses_to_overwrite_an_existing_file(clinic: Path, catalog: Catalog) -> None:
    before = clinic.read_text()
    with pytest.raises(AssessmentError, match="already exists"):
        create_assessment(clinic, "schema_version: 1\n", catalog)
    assert clinic.read_text() == before


def test_bad_status_names_file_line_and_field(clinic: Path, catalog: Catalog) -> None:
    _replace(
        clinic, "  1.S.B:  # Education\n    status:", "  1.S.B:  # Education\n    status: yes-ish"
    )
    err = _error(clinic, catalog)
    assert len(err.problems) == 1
    problem = err.problems[0]
    assert problem.file == clinic
    assert problem.line == _line(clinic, "yes-ish")
    assert problem.where == "answers.1.S.B.status"
    assert "implemented" in problem.message


def test_unknown_id_is_reported_with_its_line(clinic: Path, catalog: Catalog) -> None:
    _replace(clinic, "answers:\n", "answers:\n  4.S.Z:\n    status: implemented\n")
    err = _error(clinic, catalog)
    assert "unknown sub-practice 4.S.Z" in err.problems[0].message
    assert err.problems[0].line == _line(clinic, "4.S.Z")


def test_malformed_id_is_explained(clinic: Path, catalog: Catalog) -> None:
    _replace(clinic, "answers:\n", "answers:\n  email-config:\n    status: implemented\n")
    err = _error(clinic, catalog)
    assert "IDs look like 7.M.D" in err.problems[0].message


def test_item_outside_the_tier_says_how_to_opt_in(clinic: Path, catalog: Catalog) -> None:
    _replace(clinic, "answers:\n", "answers:\n  7.M.A:\n    status: implemented\n")
    err = _error(clinic, catalog)
    assert "outside the scope of a small organization" in err.problems[0].message
    assert "include_tiers: [medium]" in err.problems[0].message


def test_not_applicable_without_justification_is_refused(clinic: Path, catalog: Catalog) -> None:
    _replace(
        clinic,
        "  9.S.A:  # Medical Device Security\n    status:",
        "  9.S.A:  # Medical Device Security\n    status: not_applicable",
    )
    err = _error(clinic, catalog)
    assert "needs a justification" in err.problems[0].message
    assert err.problems[0].line == _line(clinic, "9.S.A:")  # the answer as a whole


def test_every_problem_is_listed_at_once(clinic: Path, catalog: Catalog) -> None:
    _replace(
        clinic,
        "  1.S.A:  # Email System Configuration\n    status:",
        "  1.S.A:  # Email System Configuration\n    status: done",
    )
    _replace(clinic, "  date: 2026-11-01", "  date: last tuesday")
    _replace(clinic, "  tier: small", "  tier: small\n  colour: blue")
    err = _error(clinic, catalog)
    wheres = {p.where for p in err.problems}
    assert {"answers.1.S.A.status", "assessment.date", "organization.colour"} <= wheres
    lines = [p.line or 0 for p in err.problems]
    assert lines == sorted(lines)  # reported in file order


def test_duplicate_keys_are_a_syntax_error_with_a_line(clinic: Path, catalog: Catalog) -> None:
    _replace(clinic, "answers:\n", "answers:\n  1.S.A:\n    status: implemented\n")
    err = _error(clinic, catalog)
    assert "twice" in err.problems[0].message
    assert err.problems[0].line is not None


def test_not_yaml_mapping_is_refused(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n")
    err = _error(path, catalog)
    assert "not an assessment file" in err.summary


def test_non_utf8_file_is_refused_clearly(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("organization:\n  name: Cl\xednica\n".encode("latin-1"))
    err = _error(path, catalog)
    assert "not UTF-8" in err.summary


def test_newer_schema_version_asks_for_an_upgrade(clinic: Path, catalog: Catalog) -> None:
    _replace(clinic, "schema_version: 1", "schema_version: 9")
    assert "upgrade hicp" in _error(clinic, catalog).summary


def test_in_place_since_must_match_an_in_place_status(clinic: Path, catalog: Catalog) -> None:
    with pytest.raises(AssessmentError, match="only implemented or partial"):
        record_answer(
            clinic,
            "1.S.A",
            {"status": Status.NOT_IMPLEMENTED, "in_place_since": dt.date(2025, 1, 1)},
            catalog,
        )


def test_recording_an_answer_keeps_comments_and_other_answers(
    clinic: Path, catalog: Catalog
) -> None:
    _replace(clinic, "answers:\n", "answers:\n  # our own note, keep me\n")
    record_answer(
        clinic,
        "1.S.A",
        {"status": Status.IMPLEMENTED, "in_place_since": dt.date(2024, 3, 1)},
        catalog,
    )
    record_answer(clinic, "2.S.A", {"status": Status.PARTIAL, "owner": "Office manager"}, catalog)
    text = clinic.read_text()
    assert "# our own note, keep me" in text
    assert "# Email System Configuration" in text
    answers = load_assessment(clinic, catalog).assessment.answers
    assert answers["1.S.A"].status is Status.IMPLEMENTED
    assert answers["1.S.A"].in_place_since == dt.date(2024, 3, 1)
    assert answers["2.S.A"].owner == "Office manager"


def test_a_refused_answer_leaves_the_file_byte_for_byte_unchanged(
    clinic: Path, catalog: Catalog
) -> None:
    before = clinic.read_bytes()
    with pytest.raises(AssessmentError, match="the answer was not saved"):
        record_answer(clinic, "9.S.A", {"status": Status.NOT_APPLICABLE}, catalog)
    assert clinic.read_bytes() == before
    assert [p.name for p in clinic.parent.iterdir()] == ["clinic.yaml"]  # no temp file left


def test_catalog_version_mismatch_is_a_warning_not_an_error(clinic: Path, catalog: Catalog) -> None:
    _replace(clinic, f'catalog_version: "{catalog.version}"', 'catalog_version: "2025.01"')
    loaded = load_assessment(clinic, catalog)
    assert any("2025.01" in w for w in loaded.warnings)


def test_an_impossible_date_is_a_located_field_error(clinic: Path, catalog: Catalog) -> None:
    record_answer(clinic, "1.S.A", {"status": Status.PLANNED}, catalog)
    _replace(clinic, "    status: planned", "    status: planned\n    target_date: 2026-02-30")
    err = _error(clinic, catalog)
    assert err.problems[0].where == "answers.1.S.A.target_date"
    assert err.problems[0].line == _line(clinic, "2026-02-30")
    assert "not a valid date" in err.problems[0].message


def test_schema_and_catalog_problems_are_reported_together(clinic: Path, catalog: Catalog) -> None:
    _replace(clinic, "  tier: small", "  tier: small\n  colour: blue")
    _replace(clinic, "answers:\n", "answers:\n  7.M.A:\n    status: implemented\n")
    messages = [p.message for p in _error(clinic, catalog).problems]
    assert any("unknown field 'colour'" in m for m in messages)
    assert any("outside the scope" in m for m in messages)


def test_profile_choices_must_be_the_sizing_answers(clinic: Path, catalog: Catalog) -> None:
    _replace(clinic, "  tier: small", "  tier: small\n  profile:\n    it_staff: two part-timers")
    err = _error(clinic, catalog)
    assert err.problems[0].where == "organization.profile.it_staff"
    assert "none, it_team, security_team" in err.problems[0].message


def test_a_single_string_where_a_list_belongs_is_explained(clinic: Path, catalog: Catalog) -> None:
    _replace(
        clinic,
        "  1.S.A:  # Email System Configuration\n    status:",
        "  1.S.A:  # Email System Configuration\n    status:\n    evidence: one string",
    )
    assert "expected a list" in _error(clinic, catalog).problems[0].message


def test_saved_dates_stay_plain_yaml_dates(clinic: Path, catalog: Catalog) -> None:
    record_answer(
        clinic,
        "1.S.A",
        {"status": Status.IMPLEMENTED, "in_place_since": dt.date(2024, 3, 1)},
        catalog,
    )
    record_answer(clinic, "1.S.B", {"status": Status.PARTIAL}, catalog)
    text = clinic.read_text()
    assert "in_place_since: 2024-03-01\n" in text
    assert "  date: 2026-11-01\n" in text


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    status:", "    status: done", "not one of the allowed values: 'implemented'"),
        ("    status:", "    status: partial\n    notes: ''", "must not be empty"),
    ],
)
def test_field_errors_are_worded_for_people(
    clinic: Path, catalog: Catalog, old: str, new: str, message: str
) -> None:
    _replace(clinic, old, new)
    assert message in _error(clinic, catalog).problems[0].message


def test_a_threat_rating_out_of_range_says_the_range(clinic: Path, catalog: Catalog) -> None:
    _replace(clinic, "answers:\n", "threats:\n  T5: {likelihood: 7, reason: x}\nanswers:\n")
    assert "must be 5 or less" in _error(clinic, catalog).problems[0].message


def test_a_quoted_newer_schema_version_asks_for_an_upgrade(clinic: Path, catalog: Catalog) -> None:
    _replace(clinic, "schema_version: 1", 'schema_version: "2"')
    assert "upgrade hicp" in _error(clinic, catalog).summary
