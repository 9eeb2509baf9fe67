"""Facilities of an organization: the roll-up page, adding a facility, and the table's exports.

Every organization comes from scoping.scoped; the facilities below it are read by rollup.py,
which a membership of the organization entitles the user to see (scoping.py's rule).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from hicp.reports.xlsx_cells import inert_text, put
from hicp.web.core import rollup, rollup_services, selectors
from hicp.web.core.downloads import FORMATS, attachment
from hicp.web.core.models import Organization
from hicp.web.core.roles import Role
from hicp.web.core.scoping import scoped


class FacilityForm(forms.Form):
    name = forms.CharField(
        label="Facility name",
        max_length=200,
        help_text="A clinic, hospital or region, as its staff would recognise it.",
    )

    def __init__(self, *args: Any, parent: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent = parent

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if Organization.objects.filter(parent=self.parent, name__iexact=name).exists():
            raise forms.ValidationError(
                f"{self.parent.name} already has a facility named “{name}”. "
                "Choose another name, for example with the town in it."
            )
        return name


@dataclass(frozen=True)
class Header:
    label: str
    column: str
    href: str  # the link that sorts by this column (reversed if it is the current one)
    aria_sort: str | None  # "ascending" / "descending" on the current column


COLUMN_LABELS = {
    "name": "Facility",
    "date": "Latest assessment",
    "coverage": "In place",
    "answered": "Answered",
    "worst": "Worst exposure",
    "actions": "Tracked tasks open",
}


def _headers(organization: Organization, roll: rollup.RollUp) -> dict[str, Header]:
    base = reverse("facilities", args=[organization.pk])
    # In the order of the cells: the threats between the answered share and the worst one.
    labels = {
        **{c: COLUMN_LABELS[c] for c in ("name", "date", "coverage", "answered")},
        **{t.column: t.name for t in roll.threats},
        **{c: COLUMN_LABELS[c] for c in ("worst", "actions")},
    }
    headers = {}
    for column, label in labels.items():
        target = roll.sort.toggled(column)
        current = column == roll.sort.column
        headers[column] = Header(
            label=label,
            column=column,
            href=f"{base}?{urlencode({'sort': column, 'dir': target.direction})}#facility-table",
            aria_sort=("descending" if roll.sort.descending else "ascending") if current else None,
        )
    return headers


def _sorted_by(roll: rollup.RollUp) -> str:
    labels = {**COLUMN_LABELS, **{t.column: f"exposure to {t.name.lower()}" for t in roll.threats}}
    if roll.sort == rollup.DEFAULT_SORT:
        return "worst exposure first (on a tie, the lower share in place first)"
    order = "highest first" if roll.sort.descending else "lowest first"
    if roll.sort.column == "name":
        order = "Z to A" if roll.sort.descending else "A to Z"
    elif roll.sort.column == "date":
        order = "newest first" if roll.sort.descending else "oldest first"
    return f"{labels[roll.sort.column].lower()}, {order}"


@scoped({"GET": Role.VIEWER, "POST": Role.ADMIN})
def facilities(request: HttpRequest, organization: Organization) -> HttpResponse:
    """The roll-up of every facility below the organization; admins add facilities here."""
    form = FacilityForm(request.POST or None, parent=organization)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            facility = rollup_services.add_facility(
                request.user, organization, form.cleaned_data["name"]
            )
            messages.success(
                request,
                f"{facility.name} was added as a facility of {organization.name}. "
                "Open it to start its assessment.",
            )
            return redirect("facilities", org_id=organization.pk)
        status = 422
    sort = rollup.Sort.parse(request.GET.get("sort"), request.GET.get("dir"))
    roll = rollup.roll_up(organization, sort)
    query = urlencode({"sort": sort.column, "dir": sort.direction})
    return render(
        request,
        "rollup/facilities.html",
        {
            "organization": organization,
            "rollup": roll,
            "headers": _headers(organization, roll),
            "sorted_by": _sorted_by(roll),
            "levels": rollup.LEVELS,
            "export_query": query,
            "form": form,
            "can_add": selectors.role_in(request.user, organization).allows(Role.ADMIN),
        },
        status=status,
    )


Cell = str | int | float | dt.date | None


def _percent(value: float | None) -> int | None:
    """A share as a whole percentage, rounded as the pages round it (wording.pct)."""
    return None if value is None else round(value * 100)


def export_table(roll: rollup.RollUp) -> tuple[list[str], list[list[Cell]]]:
    """The roll-up table as a board would read it: one row per facility, in the page's order."""
    headers = [
        "Facility",
        "Latest assessment",
        "Assessment date",
        "Size tier",
        "In place %",
        "Questions answered",
        "Questions asked",
    ]
    for threat in roll.threats:
        headers += [f"{threat.name} exposure %", f"{threat.name} level"]
    headers += ["Worst threat", "Worst exposure %", "Worst level", "Tracked tasks open"]

    rows: list[list[Cell]] = []
    for row in roll.rows:
        result = row.scored
        if result is None or row.assessment is None:
            name = f"{row.assessment.name} (could not be read)" if row.assessment else None
            rows.append([row.label, name or "No assessment yet", *([None] * (len(headers) - 2))])
            continue
        line: list[Cell] = [
            row.label,
            row.assessment.name,
            result.date,
            result.tier.value.capitalize(),
            _percent(result.coverage),
            result.answered,
            result.total,
        ]
        for exposure in row.exposures:
            line += [_percent(exposure.exposure), exposure.level.label]
        worst = row.worst
        line += [
            worst.threat.name if worst else None,
            _percent(worst.exposure) if worst else None,
            worst.level.label if worst else None,
            row.open_actions,
        ]
        rows.append(line)
    return headers, rows


def _inert(value: Cell) -> str:
    """CSV text a spreadsheet will not run: names come from users, and a cell starting with
    = + - @ is a formula to Excel; the quote prefix makes it plain text."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return inert_text(value) if isinstance(value, str) else str(value)


def _filename(organization: Organization, suffix: str) -> str:
    stem = selectors.file_stem(organization.name, "organization")
    return f"{stem}-facilities-{dt.date.today().isoformat()}{suffix}"


@scoped({"GET": Role.VIEWER})
def facilities_csv(request: HttpRequest, organization: Organization) -> HttpResponse:
    """The roll-up table as CSV, in the order the page shows (same ``sort`` and ``dir``)."""
    roll = rollup.roll_up(
        organization, rollup.Sort.parse(request.GET.get("sort"), request.GET.get("dir"))
    )
    headers, rows = export_table(roll)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_inert(cell) for cell in line] for line in rows)
    # The byte-order mark tells Excel the file is UTF-8 (names may have accents, paths have \u203a).
    data = ("\ufeff" + out.getvalue()).encode("utf-8")
    return attachment(data, _filename(organization, ".csv"), "text/csv; charset=utf-8")


@scoped({"GET": Role.VIEWER})
def facilities_xlsx(request: HttpRequest, organization: Organization) -> HttpResponse:
    """The roll-up table as an Excel workbook: numbers stay numbers, text never a formula."""
    from openpyxl import Workbook  # only this download needs it
    from openpyxl.styles import Font

    roll = rollup.roll_up(
        organization, rollup.Sort.parse(request.GET.get("sort"), request.GET.get("dir"))
    )
    headers, rows = export_table(roll)
    book = Workbook()
    sheet = book.active
    sheet.title = "Facilities"
    for col, header in enumerate(headers, start=1):
        put(sheet, 1, col, header).font = Font(bold=True)
    for r, line in enumerate(rows, start=2):
        for col, cell in enumerate(line, start=1):
            put(sheet, r, col, cell, "yyyy-mm-dd" if isinstance(cell, dt.date) else None)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 28
    out = io.BytesIO()
    book.save(out)
    return attachment(out.getvalue(), _filename(organization, ".xlsx"), FORMATS["xlsx"][1])
