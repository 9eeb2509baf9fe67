"""Documents computed from the assessment rather than written in advance.

- first-30-days: a one-page checklist of the plan's first phase, with owners and dates.
- asset-inventory: a workbook to keep the asset inventory in, pre-filled from an imported
  inventory when there is one (the evidence store beside the assessment).
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

from hicp.assessment.models import Assessment
from hicp.assessment.plan import build_plan
from hicp.catalog import Catalog
from hicp.documents.models import Block, Section
from hicp.documents.tailor import Tailored
from hicp.reports.wording import KIND_VERB, effort_words
from hicp.reports.zipfiles import pin_timestamps

FIRST_30_DAYS_SUPPORTS = ("10.S.A", "10.M.A")  # a governed, owned plan of work
INVENTORY_SUPPORTS = ("5.S.A", "5.M.A", "9.M.D")
INVENTORY_COLUMNS = (
    ("hostname", "Host name", 22),
    ("ip", "IP address", 15),
    ("mac", "MAC address", 18),
    ("type", "Type", 15),
    ("os", "Operating system", 24),
    ("os_version", "OS version", 12),
    ("owner", "Owner", 20),
    ("location", "Location", 16),
    ("segment", "Network segment", 16),
    ("disk_encrypted", "Disk encrypted", 10),
    ("endpoint_agent", "Endpoint protection", 12),
    ("last_seen", "Last seen", 12),
)
ASSET_TYPES = ("workstation", "server", "mobile", "network", "medical_device", "iot", "other")


def first_30_days(catalog: Catalog, assessment: Assessment, today: dt.date) -> Tailored:
    plan = build_plan(catalog, assessment)
    first = [a for a in plan.actions if a.phase == plan.phases[0].key]
    items = []
    for action in first:
        who = " · ".join(str(x) for x in (action.owner, action.target_date) if x)
        items.append(
            f"{KIND_VERB[action.kind]}: {action.title} ({action.id}), {effort_words(action)}."
            + (f" {who}." if who else " Owner: ________")
        )
    sections = [
        Section(
            heading="Do these first",
            blocks=(
                Block(
                    text=f"The first {len(first)} steps of {assessment.organization.name}'s "
                    "cybersecurity action plan, ranked by how much risk each removes for the "
                    "work it takes."
                ),
                Block(checklist=tuple(items))
                if items
                else Block(text="Nothing is due in the first 30 days."),
            ),
        ),
        Section(
            heading="Why these",
            blocks=tuple(Block(text=f"{a.title}: {a.why}") for a in first if a.kind != "find_out")
            or (Block(text="Each step here is a check of something not yet known."),),
        ),
        Section(heading="Sign-off", blocks=(Block(fields=("Reviewed by", "Date", "Next review")),)),
    ]
    return Tailored(
        name="first-30-days",
        title=f"First 30 days: {assessment.organization.name}",
        organization=assessment.organization.name,
        generated_on=today,
        supports=tuple(dict.fromkeys([*FIRST_30_DAYS_SUPPORTS, *(a.id for a in first)])),
        one_page=True,
        sections=tuple(sections),
    )


def _assets(evidence_db: Path | None) -> list[tuple[object, ...]]:
    if evidence_db is None or not evidence_db.exists():
        return []
    db = sqlite3.connect(f"file:{evidence_db}?mode=ro", uri=True)
    try:
        columns = ", ".join(name for name, _, _ in INVENTORY_COLUMNS)
        rows = db.execute(f"SELECT {columns} FROM assets ORDER BY type, key").fetchall()  # noqa: S608 - constant column list
    except sqlite3.Error:
        rows = []
    finally:
        db.close()
    return rows


def asset_inventory(assessment: Assessment, evidence_db: Path | None, today: dt.date) -> bytes:
    """The inventory workbook: one row per asset, with lists for type and yes/no columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Assets"
    for col, (_, header, width) in enumerate(INVENTORY_COLUMNS, 1):
        cell = ws.cell(row=1, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
        ws.column_dimensions[get_column_letter(col)].width = width
    rows = _assets(evidence_db)
    for r, values in enumerate(rows, 2):
        for c, value in enumerate(values, 1):
            if isinstance(value, int) and INVENTORY_COLUMNS[c - 1][0] in (
                "disk_encrypted",
                "endpoint_agent",
            ):
                value = "yes" if value else "no"
            cell = ws.cell(row=r, column=c, value=value)
            cell.data_type = "s" if isinstance(value, str) else cell.data_type  # never a formula
    last = max(len(rows) + 1, 500)  # room to add assets by hand, with the same lists
    types = DataValidation(type="list", formula1=f'"{",".join(ASSET_TYPES)}"', allow_blank=True)
    yes_no = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    ws.add_data_validation(types)
    ws.add_data_validation(yes_no)
    types.add(f"D2:D{last}")
    yes_no.add(f"J2:K{last}")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(INVENTORY_COLUMNS))}{max(len(rows) + 1, 2)}"

    notes = wb.create_sheet("How to use")
    lines = [
        f"Asset inventory for {assessment.organization.name}",
        f"Prepared by hicp on {today.isoformat()}; "
        + (
            f"pre-filled with {len(rows)} assets from the imported inventory."
            if rows
            else "no inventory had been imported, so the list starts empty."
        ),
        "List every computer, server, phone, tablet, network device and connected medical "
        "device, one per row. Keep it current: add new equipment when it arrives and mark "
        "equipment that is retired.",
        "Type: workstation, server, mobile, network, medical_device, iot or other.",
        "Disk encrypted and Endpoint protection: yes or no.",
        "Import it back with: hicp evidence import ASSESSMENT this-file.xlsx --kind inventory",
        "Supports HICP " + ", ".join(INVENTORY_SUPPORTS) + " (asset management).",
    ]
    for n, line in enumerate(lines, 1):
        notes.cell(row=n, column=1, value=line).font = Font(bold=n == 1)
    notes.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    wb.save(buffer)
    return pin_timestamps(buffer.getvalue(), today)
