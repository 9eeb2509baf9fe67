"""Facilities of a parent organization: the roll-up page, its exports, and where it shows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from hicp.assessment.scoring import ScoreResult, score
from hicp.assessment.store import apply_answers, new_assessment_text
from hicp.catalog import Tier, default_catalog
from hicp.reports.wording import pct
from hicp.web.core import rollup, selectors, services
from hicp.web.core.models import ActionItem, Assessment, AuditEntry, Organization
from hicp.web.core.roles import Role
from tests.web.conftest import MakeUser, SignIn, add_member


def assessed(
    owner: User,
    organization: Organization,
    implemented: int,
    *,
    partial: int = 0,
    answered: int | None = None,
    tier: Tier = Tier.MEDIUM,
    name: str = "2026 self-assessment",
) -> Assessment:
    """An assessment whose first ``implemented`` questions are in place, the next ``partial``
    partly, the rest up to ``answered`` (all by default) not, and any after that unanswered."""
    catalog = default_catalog()
    text = new_assessment_text(catalog, name=organization.name, tier=tier, date=dt.date(2026, 9, 1))
    statuses = ["implemented"] * implemented + ["partial"] * partial
    questions = catalog.in_scope(tier)[:answered]
    changes = {
        sp.id: {"status": statuses[i] if i < len(statuses) else "not_implemented"}
        for i, sp in enumerate(questions)
    }
    text, _ = apply_answers(text, changes, catalog, Path("test.yaml"))
    return services.import_yaml(owner, organization, name=name, text=text, filename="test.yaml")


def core_score(assessment: Assessment) -> ScoreResult:
    return score(default_catalog(), selectors.document_of(assessment).assessment)


def facility(parent: Organization, name: str) -> Organization:
    return Organization.objects.create(name=name, parent=parent)


def row_order(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-facility="(\d+)"', html)]


def row_html(html: str, organization: Organization) -> str:
    match = re.search(rf'<tr data-facility="{organization.pk}">(.*?)</tr>', html, re.DOTALL)
    assert match, f"no row for {organization.name}"
    return match.group(1)


def page(client_owner: User, sign_in: SignIn, organization: Organization, query: str = "") -> str:
    response = sign_in(client_owner).get(reverse("facilities", args=[organization.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def clinics(owner: User, organization: Organization) -> dict[str, Organization]:
    """Four facilities: two assessed to different depths, one tied on worst exposure with a
    lower coverage, and one without any assessment."""
    made = {
        name: facility(organization, name)
        for name in ("Alder Clinic", "Birch Clinic", "Cedar Clinic", "Dogwood Clinic")
    }
    assessed(owner, made["Alder Clinic"], 30)  # nearly all in place, all answered
    assessed(owner, made["Birch Clinic"], 2, answered=10)  # almost nothing in place
    assessed(owner, made["Cedar Clinic"], 12, answered=20)
    return made


def worst_first(assessments: list[Assessment]) -> list[int]:
    def key(a: Assessment) -> tuple[float, float]:
        result = core_score(a)
        return (-max(t.exposure for t in result.threats), result.coverage or 0.0)

    return [a.organization_id for a in sorted(assessments, key=key)]


def latest_of(*organizations: Organization) -> list[Assessment]:
    return [a for o in organizations if (a := selectors.latest_assessment(o)) is not None]


# Sorting


def test_the_table_lists_the_most_exposed_facility_first_by_default(
    owner: User, organization: Organization, clinics: dict[str, Organization], sign_in: SignIn
) -> None:
    html = page(owner, sign_in, organization)

    expected = worst_first(latest_of(*clinics.values()))
    assert row_order(html) == [*expected, clinics["Dogwood Clinic"].pk]
    assert expected[0] == clinics["Birch Clinic"].pk
    assert "Sorted by worst exposure first" in html


def test_equal_worst_exposure_puts_the_lower_coverage_first(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    # E-mail protection (practice 1) does nothing against loss or theft of equipment (T3), so
    # with only its questions in place all three stay at 100% there and differ in coverage.
    made = {name: facility(organization, name) for name in ("Alpha", "Bravo", "Charlie")}
    assessed(owner, made["Alpha"], 4)
    assessed(owner, made["Bravo"], 2)
    assessed(owner, made["Charlie"], 0)
    results = {name: core_score(a) for name, a in zip(made, latest_of(*made.values()), strict=True)}
    assert {max(t.exposure for t in r.threats) for r in results.values()} == {1.0}
    assert results["Charlie"].coverage < results["Bravo"].coverage < results["Alpha"].coverage  # type: ignore[operator]

    order = row_order(page(owner, sign_in, organization))

    assert order == [made["Charlie"].pk, made["Bravo"].pk, made["Alpha"].pk]


@pytest.mark.parametrize(
    ("query", "key", "reverse_order"),
    [
        ("?sort=coverage&dir=asc", lambda r: r.coverage, False),
        ("?sort=coverage&dir=desc", lambda r: r.coverage, True),
        ("?sort=t2&dir=desc", lambda r: r.threat("T2").exposure, True),
        ("?sort=answered&dir=asc", lambda r: r.answered / r.total, False),
    ],
    ids=["coverage-asc", "coverage-desc", "ransomware-desc", "answered-asc"],
)
def test_a_column_sorts_the_table_either_way(
    query: str,
    key: Callable[[ScoreResult], float],
    reverse_order: bool,
    owner: User,
    organization: Organization,
    clinics: dict[str, Organization],
    sign_in: SignIn,
) -> None:
    html = page(owner, sign_in, organization, query)

    scored = [(a.organization_id, core_score(a)) for a in latest_of(*clinics.values())]
    ordered = sorted(scored, key=lambda pair: key(pair[1]), reverse=reverse_order)
    assert row_order(html) == [pk for pk, _ in ordered] + [clinics["Dogwood Clinic"].pk]


def test_sorting_by_name_goes_a_to_z_and_back_with_unassessed_facilities_still_last(
    owner: User, organization: Organization, clinics: dict[str, Organization], sign_in: SignIn
) -> None:
    a_to_z = row_order(page(owner, sign_in, organization, "?sort=name&dir=asc"))
    z_to_a = row_order(page(owner, sign_in, organization, "?sort=name&dir=desc"))

    names = ["Alder Clinic", "Birch Clinic", "Cedar Clinic"]
    assert a_to_z == [clinics[n].pk for n in names] + [clinics["Dogwood Clinic"].pk]
    assert z_to_a == [clinics[n].pk for n in reversed(names)] + [clinics["Dogwood Clinic"].pk]


def test_the_current_column_header_links_to_the_reverse_order(
    owner: User, organization: Organization, clinics: dict[str, Organization], sign_in: SignIn
) -> None:
    html = page(owner, sign_in, organization, "?sort=coverage&dir=asc")

    assert 'aria-sort="ascending"' in html
    assert "?sort=coverage&amp;dir=desc#facility-table" in html
    assert "?sort=worst&amp;dir=desc#facility-table" in html  # another column: worst first


def test_an_unknown_sort_column_shows_the_default_order_without_an_error(
    owner: User, organization: Organization, clinics: dict[str, Organization], sign_in: SignIn
) -> None:
    default = row_order(page(owner, sign_in, organization))
    assert row_order(page(owner, sign_in, organization, "?sort=password&dir=sideways")) == default


def test_facilities_without_an_assessment_come_last_saying_so(
    owner: User, organization: Organization, clinics: dict[str, Organization], sign_in: SignIn
) -> None:
    annex = facility(organization, "Aaron Annex")  # first by name, but it has no results
    html = page(owner, sign_in, organization)

    assert row_order(html)[-2:] == [annex.pk, clinics["Dogwood Clinic"].pk]
    assert "No assessment yet" in row_html(html, annex)
    assert "No assessment yet" not in row_html(html, clinics["Alder Clinic"])


# Who sees what


def test_a_facility_member_cannot_see_the_parents_facilities_nor_sibling_rows(
    organization: Organization,
    clinics: dict[str, Organization],
    make_user: MakeUser,
    sign_in: SignIn,
) -> None:
    clinic_owner = make_user("cora-clinic")
    add_member(clinic_owner, clinics["Alder Clinic"], Role.OWNER)
    client = sign_in(clinic_owner)

    for url in (
        reverse("facilities", args=[organization.pk]),
        reverse("facilities-csv", args=[organization.pk]),
        reverse("facilities-xlsx", args=[organization.pk]),
    ):
        assert client.get(url).status_code == 404
    own = client.get(reverse("facilities", args=[clinics["Alder Clinic"].pk])).content.decode()
    listing = client.get(reverse("organization-list")).content.decode()
    for sibling in ("Birch Clinic", "Cedar Clinic", "Dogwood Clinic"):
        assert sibling not in own
        assert sibling not in listing


def test_a_viewer_of_the_parent_sees_the_roll_up_but_cannot_add_a_facility(
    organization: Organization,
    clinics: dict[str, Organization],
    make_user: MakeUser,
    sign_in: SignIn,
) -> None:
    viewer = make_user("vera-viewer")
    add_member(viewer, organization, Role.VIEWER)
    client = sign_in(viewer)
    url = reverse("facilities", args=[organization.pk])

    html = client.get(url).content.decode()
    response = client.post(url, {"name": "Sneaky Clinic"})

    assert all(name in html for name in clinics)
    assert "Add a facility" not in html
    assert response.status_code == 403
    assert not Organization.objects.filter(name="Sneaky Clinic").exists()


def test_an_admin_adds_a_facility_which_the_parents_audit_log_records(
    organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    admin = make_user("ada-admin")
    add_member(admin, organization, Role.ADMIN)
    client = sign_in(admin)
    url = reverse("facilities", args=[organization.pk])

    response = client.post(url, {"name": "  Harbour Clinic "})

    assert response.status_code == 302
    added = Organization.objects.get(name="Harbour Clinic")
    assert added.parent == organization
    entry = AuditEntry.objects.get(organization=organization, action="add facility")
    assert (entry.user, entry.object_type, entry.object_id) == (
        admin,
        "organization",
        str(added.pk),
    )
    assert entry.after == {"name": "Harbour Clinic", "parent": organization.pk}
    html = client.get(url).content.decode()
    assert row_order(html) == [added.pk]
    assert "No assessment yet" in row_html(html, added)


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "This field is required"), ("harbour clinic", "already has a facility named")],
)
def test_a_missing_or_duplicate_facility_name_is_refused_and_nothing_is_added(
    name: str, message: str, owner: User, organization: Organization, sign_in: SignIn
) -> None:
    facility(organization, "Harbour Clinic")
    response = sign_in(owner).post(reverse("facilities", args=[organization.pk]), {"name": name})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert Organization.objects.filter(parent=organization).count() == 1


# Exports


def csv_rows(response_content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response_content.decode("utf-8-sig"))))


def test_the_csv_has_the_pages_rows_in_the_pages_order(
    owner: User, organization: Organization, clinics: dict[str, Organization], sign_in: SignIn
) -> None:
    client = sign_in(owner)
    for query in ("", "?sort=name&dir=desc"):
        html = client.get(reverse("facilities", args=[organization.pk]) + query).content.decode()
        response = client.get(reverse("facilities-csv", args=[organization.pk]) + query)
        rows = csv_rows(response.content)

        assert response["Content-Disposition"].startswith("attachment;")
        by_pk = {o.pk: o.name for o in clinics.values()}
        assert [r[0] for r in rows[1:]] == [by_pk[pk] for pk in row_order(html)]
        assert rows[-1][1] == "No assessment yet"


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1 Clinic", "-2 Clinic", "@SUM(A1)"])
def test_the_csv_keeps_a_name_that_looks_like_a_formula_as_plain_text(
    name: str, owner: User, organization: Organization, sign_in: SignIn
) -> None:
    assessed(owner, facility(organization, name), 5, name=name)
    response = sign_in(owner).get(reverse("facilities-csv", args=[organization.pk]))

    row = csv_rows(response.content)[1]
    assert row[0] == "'" + name  # the facility
    assert row[1] == "'" + name  # the assessment's name


def test_the_excel_export_has_the_same_rows_with_formula_like_names_kept_as_text(
    owner: User, organization: Organization, clinics: dict[str, Organization], sign_in: SignIn
) -> None:
    facility(organization, "=1+1")
    client = sign_in(owner)
    rows = csv_rows(client.get(reverse("facilities-csv", args=[organization.pk])).content)
    response = client.get(reverse("facilities-xlsx", args=[organization.pk]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [sheet.cell(row=r, column=1) for r in range(2, sheet.max_row + 1)]
    assert [c.value for c in names] == [r[0].removeprefix("'") for r in rows[1:]]
    formula_like = next(c for c in names if c.value == "=1+1")
    assert formula_like.data_type == "s"


# Depth and the organization list


def test_a_deeper_facility_shows_its_path_from_the_organization(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    region = facility(organization, "Northern Region")
    clinic = facility(region, "Lakeside Clinic")
    assessed(owner, clinic, 10)

    html = page(owner, sign_in, organization)
    rows = csv_rows(sign_in(owner).get(reverse("facilities-csv", args=[organization.pk])).content)

    path = "Northern Region \u203a Lakeside Clinic"  # a right angle quote between the names
    assert path in row_html(html, clinic)
    assert row_order(html) == [clinic.pk, region.pk]
    assert [r[0] for r in rows[1:]] == [path, "Northern Region"]
    # From the region's own page the clinic is one level down: its name alone.
    assert ">Lakeside Clinic</a>" in row_html(page(owner, sign_in, region), clinic)


def test_the_organization_list_nests_facilities_under_their_parent_and_lists_each_once(
    organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    region = facility(organization, "Northern Region")
    clinic = facility(region, "Lakeside Clinic")
    person = make_user("petra")
    add_member(person, organization, Role.VIEWER)
    add_member(person, clinic, Role.ADMIN)  # also a member of the clinic itself

    html = sign_in(person).get(reverse("organization-list")).content.decode()

    assert html.count(">Lakeside Clinic</a>") == 1
    assert html.count(">Northern Region</a>") == 1
    nested = re.search(r'aria-label="Facilities of Northern Region">(.*?)</ul>', html, re.DOTALL)
    assert nested and "Lakeside Clinic" in nested.group(1)
    assert re.search(r">Lakeside Clinic</a>\s*<span class=\"role\">Your role: Admin", html)
    assert re.search(r">Northern Region</a>\s*<span class=\"role\">Your role: Viewer", html)


# The numbers


def test_the_table_shows_the_cores_numbers_for_each_facilitys_latest_assessment(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    clinic = facility(organization, "Harbour Clinic")
    assessed(owner, clinic, 3, name="Last year")
    latest = assessed(owner, clinic, 20, partial=5, name="This year")
    for sub_id, status in (("1.M.A", "done"), ("1.M.B", "to_do"), ("2.M.A", "in_progress")):
        ActionItem.objects.create(assessment=latest, sub_id=sub_id, status=status)
    result = core_score(latest)

    html = page(owner, sign_in, organization)
    row = row_html(html, clinic)
    csv_row = csv_rows(
        sign_in(owner).get(reverse("facilities-csv", args=[organization.pk])).content
    )[1]

    headers = re.findall(r'<th scope="col"[^>]*>\s*<a href="[^"]*">([^<]+)', html)
    assert [h.strip() for h in headers] == [
        "Facility",
        "Latest assessment",
        "In place",
        "Answered",
        *(t.short for t in default_catalog().threats.values()),
        "Worst exposure",
        "Tracked tasks open",
    ]
    assert "This year" in row and "Last year" not in row
    assert pct(result.coverage) in row
    assert f"{result.answered} of {result.total}" in row
    cells = re.findall(r'<td class="level level-(\w+)">(\w+) <span class="num">(\d+%)</span>', row)
    expected = [
        (rollup.level_of(t.exposure).value, rollup.level_of(t.exposure).label, pct(t.exposure))
        for t in result.threats
    ]
    worst = max(result.threats, key=lambda t: t.exposure)
    assert cells == [*expected, expected[[t.id for t in result.threats].index(worst.id)]]
    assert re.search(r'<td class="num">2</td>\s*$', row)  # open actions: not done
    assert csv_row[4] == str(round((result.coverage or 0) * 100))
    assert csv_row[5:7] == [str(result.answered), str(result.total)]
    assert csv_row[7:17:2] == [str(round(t.exposure * 100)) for t in result.threats]
    assert csv_row[-1] == "2"


def test_the_summary_counts_facilities_at_each_level_and_at_high_exposure(
    owner: User, organization: Organization, clinics: dict[str, Organization]
) -> None:
    roll = rollup.roll_up(organization)
    results = [core_score(a) for a in latest_of(*clinics.values())]

    assert len(roll.rows) == 4 and len(roll.assessed) == 3
    assert roll.at_high == sum(
        1 for r in results if any(round(t.exposure * 100) >= 60 for t in r.threats)
    )
    assert roll.average_coverage == pytest.approx(sum(r.coverage or 0 for r in results) / 3)
    for index, summary in enumerate(roll.by_threat):
        levels = [rollup.level_of(r.threats[index].exposure) for r in results]
        assert dict(summary.counts) == {level: levels.count(level) for level in rollup.LEVELS}


@pytest.mark.parametrize(
    ("exposure", "level"),
    [
        (1.0, "high"),
        (0.6, "high"),
        (0.595, "high"),  # shown as 60%
        (0.594, "medium"),
        (0.3, "medium"),
        (0.298, "medium"),  # shown as 30%
        (0.294, "low"),
        (0, "low"),
    ],
)
def test_exposure_levels_are_fixed_bands_of_the_percentage_shown(
    exposure: float, level: str
) -> None:
    assert rollup.level_of(exposure).value == level


def test_the_roll_up_takes_as_many_queries_for_many_facilities_as_for_few(
    owner: User, organization: Organization
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rollup.roll_up(organization)
        return len(captured)

    for i in range(2):
        assessed(owner, facility(organization, f"Clinic {i}"), i)
    few = queries()
    for i in range(2, 12):
        assessed(owner, facility(organization, f"Clinic {i}"), i)
    assert queries() == few


# The dashboard


def test_the_parents_dashboard_summarises_its_facilities_and_links_to_them(
    owner: User, organization: Organization, clinics: dict[str, Organization], sign_in: SignIn
) -> None:
    html = sign_in(owner).get(reverse("organization-dashboard", args=[organization.pk]))
    text = html.content.decode()

    assert "3 of 4 facilities have an assessment" in text
    assert reverse("facilities", args=[organization.pk]) in text
    summary = text[text.index("The most exposed facility for each threat") :]
    for threat in rollup.roll_up(organization).by_threat:
        assert threat.worst is not None and threat.worst_exposure is not None
        assert f">{threat.worst.label}</a>" in summary
        assert pct(threat.worst_exposure.exposure) in summary


@pytest.mark.parametrize(("role", "sees_link"), [(Role.ADMIN, True), (Role.ASSESSOR, False)])
def test_only_admins_are_offered_to_add_facilities_to_an_organization_without_any(
    role: Role, sees_link: bool, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    member = make_user("mo")
    add_member(member, organization, role)

    response = sign_in(member).get(reverse("organization-dashboard", args=[organization.pk]))

    assert ("Add facilities" in response.content.decode()) is sees_link


def test_a_facilitys_dashboard_links_to_its_parent_only_for_those_who_can_open_it(
    owner: User, organization: Organization, make_user: MakeUser, sign_in: SignIn
) -> None:
    clinic = facility(organization, "Harbour Clinic")
    clinic_only = make_user("cora-clinic")
    add_member(clinic_only, clinic, Role.OWNER)
    url = reverse("organization-dashboard", args=[clinic.pk])
    parent_link = f'href="{reverse("organization-dashboard", args=[organization.pk])}"'

    from_parent = sign_in(owner).get(url).content.decode()
    from_clinic = sign_in(clinic_only).get(url).content.decode()

    assert "Part of" in from_parent and parent_link in from_parent
    assert "Part of Northside Clinic." in from_clinic
    assert parent_link not in from_clinic


def test_a_facilitys_dashboard_does_not_suggest_adding_facilities_to_it(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    clinic = services.create_organization(owner, "Eastside Clinic", parent=organization)

    response = sign_in(owner).get(reverse("organization-dashboard", args=[clinic.pk]))

    assert "Add facilities" not in response.content.decode()
    assert "Part of" in response.content.decode()


def test_a_facility_without_networked_devices_shows_that_threat_as_not_applicable(
    owner: User, organization: Organization, sign_in: SignIn
) -> None:
    # Every medical-device item not applicable: the core says T5 does not apply. The roll-up
    # shows it so, leaves it out of the level counts and never calls it the facility's worst.
    clinic = facility(organization, "Elm Clinic")
    catalog = default_catalog()
    text = new_assessment_text(catalog, name=clinic.name, tier=Tier.SMALL, date=dt.date(2026, 9, 1))
    text, _ = apply_answers(
        text,
        {"9.S.A": {"status": "not_applicable", "justification": "No networked devices"}},
        catalog,
        Path("test.yaml"),
    )
    services.import_yaml(owner, clinic, name="2026", text=text, filename="test.yaml")
    roll = rollup.roll_up(organization)
    (row,) = roll.rows
    t5 = row.exposures[-1]
    assert t5.exposure is None and t5.level is rollup.Level.NOT_APPLICABLE
    assert row.worst is not None and row.worst.threat.id != "T5"
    assert sum(n for _, n in roll.by_threat[-1].counts) == 0
    assert "Not applicable" in row_html(page(owner, sign_in, organization), clinic)
