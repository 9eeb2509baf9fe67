"""Tailored documents: the library loads, tailoring fills and filters, every writer works."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from hicp.assessment.models import Assessment
from hicp.assessment.store import load_assessment
from hicp.catalog import Catalog, Tier
from hicp.documents.adopt import adopt
from hicp.documents.library import load_library
from hicp.documents.models import DocumentSpec
from hicp.documents.paper import Paper
from hicp.documents.registry import documents, render_document
from hicp.documents.tailor import BLANK, tailor
from hicp.errors import CatalogError
from hicp.evidence.models import Asset, AssetType
from hicp.evidence.store import EvidenceStore, evidence_path
from tests.conftest import EXAMPLES, assessment_data
from tests.office import libreoffice
from tests.pdf_text import accessibility, pdf_text, reader
from tests.reports.test_docx_report import footer_fields

TODAY = dt.date(2026, 11, 20)
SPEC = DocumentSpec.model_validate(
    {
        "name": "test-doc",
        "title": "Plan for {organization}",
        "summary": "s",
        "audience": "staff",
        "supports": ["8.S.A"],
        "sections": [
            {
                "heading": "Everyone",
                "blocks": [
                    {"text": "Call {contact.incident_lead.name} on {contact.incident_lead.phone}."}
                ],
            },
            {"heading": "Large only", "tiers": ["large"], "blocks": [{"bullets": ["SOC runbook"]}]},
            {
                "heading": "Contacts",
                "blocks": [
                    {
                        "table": {
                            "headers": ["Role", "Name"],
                            "rows": [["Lead", "{contact.incident_lead.name}"]],
                        }
                    }
                ],
            },
        ],
    }
)


def _assessment(catalog: Catalog, tier: Tier = Tier.SMALL, **org: object) -> Assessment:
    data = assessment_data(catalog, tier)
    data["organization"].update(org)
    return Assessment.model_validate(data)


def test_every_shipped_document_loads_and_cites_real_sub_practices() -> None:
    library = load_library()
    assert "awareness-ransomware" in library
    assert all(spec.supports for spec in library.values())


def test_a_broken_document_is_reported_with_file_and_place(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "name: bad\ntitle: T\nsummary: s\naudience: staff\nsupports: [9.S.Z, 99.Z.Z]\n"
        "sections:\n  - heading: H\n    blocks:\n      - {text: 'hi {nobody}'}\n"
    )
    with pytest.raises(CatalogError) as info:
        load_library(tmp_path)
    messages = " ".join(str(p) for p in info.value.problems)
    assert "bad.yaml:5" in messages
    assert "'99.Z.Z' is not a valid ID" in messages


def test_tailoring_fills_contacts_and_leaves_blanks_for_what_is_unknown(catalog: Catalog) -> None:
    known = _assessment(
        catalog, contacts={"incident_lead": {"name": "Dana Reyes", "phone": "555-0100"}}
    )
    doc = tailor(SPEC, known, TODAY)
    assert doc.title == "Plan for Test Org"
    assert doc.sections[0].blocks[0].text == "Call Dana Reyes on 555-0100."
    unknown = tailor(SPEC, _assessment(catalog), TODAY)
    assert unknown.sections[0].blocks[0].text == f"Call {BLANK} on {BLANK}."


def test_a_copy_cites_only_what_it_contains(catalog: Catalog) -> None:
    spec = SPEC.model_copy(
        update={
            "sections": (
                *SPEC.sections[:1],
                SPEC.sections[1].model_copy(update={"supports": ("8.L.A",)}),
            )
        }
    )
    assert "8.L.A" not in tailor(spec, _assessment(catalog), TODAY).supports
    assert "8.L.A" in tailor(spec, _assessment(catalog, Tier.LARGE), TODAY).supports


def test_an_organization_that_opted_up_sees_that_tiers_sections(catalog: Catalog) -> None:
    opted = _assessment(catalog, Tier.MEDIUM, include_tiers=["large"])
    assert "Large only" in [s.heading for s in tailor(SPEC, opted, TODAY).sections]


def test_sections_for_other_sizes_are_left_out(catalog: Catalog) -> None:
    small = tailor(SPEC, _assessment(catalog), TODAY)
    large = tailor(SPEC, _assessment(catalog, Tier.LARGE), TODAY)
    assert "Large only" not in [s.heading for s in small.sections]
    assert "Large only" in [s.heading for s in large.sections]


@pytest.mark.parametrize("fmt", ["docx", "md", "html", "pdf"])
def test_every_text_format_carries_the_organizations_name(catalog: Catalog, fmt: str) -> None:
    assessment = load_assessment(EXAMPLES / "small-clinic.yaml", catalog).assessment
    data = render_document("awareness-ransomware", fmt, catalog, assessment, today=TODAY)
    name = assessment.organization.name
    if fmt == "docx":
        from docx import Document

        text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    elif fmt == "pdf":
        text = pdf_text(data)
        assert len(reader(data).pages) == 1  # an awareness sheet fits one page
    else:
        text = data.decode("utf-8")
    assert name.split()[0] in text and "Ransomware" in text


def test_a_pdf_document_is_tagged_for_screen_readers_with_its_language_and_title(
    catalog: Catalog,
) -> None:
    assessment = load_assessment(EXAMPLES / "small-clinic.yaml", catalog).assessment
    data = render_document("incident-response-plan", "pdf", catalog, assessment, today=TODAY)
    found = accessibility(data)
    assert found["tagged"] and found["marked"] and found["shows title"]
    assert found["language"] == "en"
    assert "Incident" in str(found["title"])


ONE_PAGE = sorted([n for n, spec in load_library().items() if spec.one_page] + ["first-30-days"])
# Points per page: (width, height), as a PDF's MediaBox gives them.
PAPER_POINTS = {Paper.LETTER: (612, 792), Paper.A4: (595, 842)}


@pytest.mark.parametrize("paper", list(Paper))
@pytest.mark.parametrize("name", ONE_PAGE)
def test_every_one_page_sheet_prints_on_one_page_of_letter_and_of_a4(
    catalog: Catalog, name: str, paper: Paper
) -> None:
    # The health system names the most contacts, so its sheets are the longest.
    assessment = load_assessment(EXAMPLES / "health-system.yaml", catalog).assessment
    data = render_document(name, "pdf", catalog, assessment, today=TODAY, paper=paper)
    pages = reader(data).pages
    assert len(pages) == 1
    box = pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == PAPER_POINTS[paper]
    assert assessment.organization.name in pdf_text(data)


def test_user_text_is_escaped_in_html_and_markdown(catalog: Catalog) -> None:
    hostile = _assessment(catalog, name="<script>alert(1)</script> | # Clinic")
    html = render_document("awareness-ransomware", "html", catalog, hostile, today=TODAY)
    assert b"<script>alert" not in html
    md = render_document("awareness-ransomware", "md", catalog, hostile, today=TODAY)
    assert b"<script>" not in md


def test_first_30_days_lists_the_plans_first_phase(catalog: Catalog) -> None:
    assessment = load_assessment(EXAMPLES / "community-hospital.yaml", catalog).assessment
    md = render_document("first-30-days", "md", catalog, assessment, today=TODAY).decode()
    from hicp.assessment.plan import build_plan

    first = [a for a in build_plan(catalog, assessment).actions if a.phase == "30d"]
    assert first
    assert all(f"({a.id})" in md for a in first)
    assert md.count("- [ ] ") == len(first)


def test_inventory_workbook_is_prefilled_from_imported_assets(
    catalog: Catalog, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "clinic.yaml"
    shutil.copy(EXAMPLES / "small-clinic.yaml", path)
    source = tmp_path / "inv.csv"
    source.write_text("x")
    with EvidenceStore(evidence_path(path)) as store:
        store.store(
            source,
            "inventory",
            [
                Asset(
                    hostname="FD-WS-01",
                    ip="10.0.0.1",
                    type=AssetType.WORKSTATION,
                    disk_encrypted=True,
                    endpoint_agent=False,
                ),
                Asset(hostname="=cmd|calc", type=AssetType.OTHER),
            ],
        )
    assessment = load_assessment(path, catalog).assessment
    data = render_document(
        "asset-inventory", "xlsx", catalog, assessment, evidence_db=evidence_path(path), today=TODAY
    )
    sheet = load_workbook(io.BytesIO(data))["Assets"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[1][:2] == ("FD-WS-01", "10.0.0.1") or rows[0][:2] == ("FD-WS-01", "10.0.0.1")
    hosts = {r[0]: r for r in rows}
    assert hosts["FD-WS-01"][9:11] == ("yes", "no")
    assert sheet["A1"].value == "Host name" and sheet.freeze_panes == "A2"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_inventory_workbook_without_evidence_is_an_empty_template(catalog: Catalog) -> None:
    from openpyxl import load_workbook

    assessment = load_assessment(EXAMPLES / "small-clinic.yaml", catalog).assessment
    data = render_document("asset-inventory", "xlsx", catalog, assessment, today=TODAY)
    book = load_workbook(io.BytesIO(data))
    assert book["Assets"].max_row == 1
    assert "no inventory had been imported" in book["How to use"]["A2"].value


def test_adopting_a_document_records_it_once_as_evidence(catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    shutil.copy(EXAMPLES / "small-clinic.yaml", path)
    _, changed = adopt(path, "awareness-ransomware", "policies/ransomware.pdf", catalog, TODAY)
    in_scope = {"1.S.B", "8.S.A"}  # of 1.S.B, 1.M.D and 8.S.A, the small scope holds these
    assert set(changed) == in_scope
    answers = load_assessment(path, catalog).assessment.answers
    assert any(
        "policies/ransomware.pdf (hicp document awareness-ransomware" in e
        for e in answers["8.S.A"].evidence
    )
    _, again = adopt(path, "awareness-ransomware", "policies/ransomware.pdf", catalog, TODAY)
    assert again == ()


def test_every_word_document_numbers_its_pages_in_the_footer(catalog: Catalog) -> None:
    from docx import Document

    assessment = load_assessment(EXAMPLES / "small-clinic.yaml", catalog).assessment
    for info in documents().values():
        if "docx" not in info.formats:
            continue
        data = render_document(info.name, "docx", catalog, assessment, today=TODAY)
        doc = Document(io.BytesIO(data))
        assert footer_fields(doc) == [["PAGE", "NUMPAGES"]] * len(doc.sections), info.name


def test_every_listed_document_renders_in_each_of_its_formats(catalog: Catalog) -> None:
    assessment = load_assessment(EXAMPLES / "health-system.yaml", catalog).assessment
    for info in documents().values():
        for fmt in info.formats:
            if fmt == "pdf":
                continue  # covered above; WeasyPrint takes about a second a document
            assert render_document(info.name, fmt, catalog, assessment, today=TODAY), info.name


def test_word_documents_open_cleanly_in_libreoffice(catalog: Catalog, tmp_path: Path) -> None:
    office = libreoffice()
    assessment = load_assessment(EXAMPLES / "community-hospital.yaml", catalog).assessment
    names = [n for n, info in documents().items() if "docx" in info.formats]
    for name in names:
        (tmp_path / f"{name}.docx").write_bytes(
            render_document(name, "docx", catalog, assessment, today=TODAY)
        )
    subprocess.run(  # noqa: S603 - fixed arguments, files we just wrote
        [
            office,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *(str(tmp_path / f"{n}.docx") for n in names),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    for name in names:
        pdf = tmp_path / f"{name}.pdf"
        assert pdf.exists(), f"LibreOffice could not convert {name}.docx"
        text = pdf_text(pdf.read_bytes())
        assert assessment.organization.name.split()[0] in text, name


def test_a_very_long_organization_name_still_makes_a_word_file(catalog: Catalog) -> None:
    from docx import Document

    long_name = "Saint Example Regional Health and Wellness Collaborative " * 8
    assessment = _assessment(catalog, name=long_name.strip())
    data = render_document("policies", "docx", catalog, assessment, today=TODAY)
    props = Document(io.BytesIO(data)).core_properties
    assert len(props.title) <= 255 and props.title.endswith("…")
