"""`hicp catalog`: browse, filter and search HICP threats, practices and sub-practices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from hicp.cli.output import Format, emit, md_table, table

if TYPE_CHECKING:
    from rich.console import RenderableType

    from hicp.catalog import Catalog, Practice, SubPractice, Threat

app = typer.Typer(
    help="Browse HICP: threats, practices and sub-practices, with their NIST CSF and HIPAA links.",
    no_args_is_help=True,
)

FORMAT = typer.Option(Format.TABLE, "--format", "-f", help="Output format.")
UNVERIFIED_NOTE = (
    "? = not yet checked against the HICP publication's own text (see `hicp catalog show ID` "
    "for what is uncertain)."
)


def _catalog() -> Catalog:
    from hicp.catalog import default_catalog

    return default_catalog()


def _gaps_note(catalog: Catalog) -> str:
    lines = [f"Catalog {catalog.version} (HICP {catalog.info.hicp_edition} names). Known gaps:"]
    lines += [f"  - {gap}" for gap in catalog.info.known_gaps]
    return "\n".join(lines)


def sub_practice_dict(catalog: Catalog, sp: SubPractice) -> dict[str, Any]:
    practice = catalog.practice_of(sp.id)
    return {
        "id": sp.id,
        "title": sp.title,
        "title_edition": sp.title_edition,
        "aliases": list(sp.aliases),
        "practice": practice.id,
        "practice_name": practice.name,
        "tier": sp.tier.value,
        "threats": list(catalog.threats_of(sp.id)),
        "question": sp.question,
        "summary": sp.summary,
        "why": sp.why,
        "good": sp.good,
        "guidance": sp.guidance,
        "csf_1_1": list(catalog.csf_1_1_of(sp)),
        # True when the CSF 1.1 references are borrowed from medium counterparts (csf_derived_from)
        # because HICP's own mapping of this item has not been entered yet.
        "csf_1_1_derived": catalog.csf_is_derived(sp),
        "csf_derived_from": list(sp.csf_derived.source_items) if sp.csf_derived else [],
        "csf_2_0_derived": list(catalog.csf_2_0_of(sp)),
        "hipaa": list(sp.hipaa),
        "effort": sp.effort.value,
        "cost": sp.cost.value,
        "depends_on": list(sp.depends_on),
        "provenance": sp.provenance.model_dump(mode="json", exclude_none=True),
    }


def _filtered(
    catalog: Catalog,
    tier: str | None,
    threat: str | None,
    practice: str | None,
    function: str | None,
    unverified: bool,
) -> list[SubPractice]:
    from hicp.catalog import Tier
    from hicp.errors import NotFoundError

    items = list(catalog.sub_practices.values())
    if tier:
        try:
            wanted = Tier(tier.lower())
        except ValueError:
            raise NotFoundError(f"--tier {tier!r}: use small, medium or large") from None
        # The tier's own scope, as an organization of that size is assessed.
        scope = set(catalog.tiers_in_scope(wanted))
        items = [sp for sp in items if sp.tier in scope]
    if threat:
        tid = threat.upper()
        if tid not in catalog.threats:
            raise NotFoundError(f"--threat {threat!r}: use one of {', '.join(catalog.threats)}")
        items = [sp for sp in items if tid in catalog.threats_of(sp.id)]
    if practice:
        pid = practice.upper() if practice.upper().startswith("P") else f"P{practice}"
        if pid not in catalog.practices:
            raise NotFoundError(f"--practice {practice!r}: use 1-10 (or P1-P10)")
        items = [sp for sp in items if catalog.practice_of(sp.id).id == pid]
    if function:
        fn = function.upper()
        functions = {r.id for r in catalog.references.csf_2_0.values() if r.level == "function"}
        if fn not in functions:
            raise NotFoundError(
                f"--function {function!r}: use a NIST CSF 2.0 function: "
                + ", ".join(sorted(functions))
            )
        items = [
            sp
            for sp in items
            if any(r.startswith(fn + ".") or r == fn for r in catalog.csf_2_0_of(sp))
        ]
    if unverified:
        items = [sp for sp in items if not sp.provenance.verified]
    return items


def _emit_list(catalog: Catalog, items: list[SubPractice], fmt: Format, title: str) -> None:
    headers = ["ID", "Title", "Practice", "Threats", "Effort", "Cost", "Verified"]

    def rows(verified_mark: bool = True) -> list[list[object]]:
        return [
            [
                sp.id,
                sp.title,
                catalog.practice_of(sp.id).name,
                " ".join(catalog.threats_of(sp.id)),
                sp.effort.value,
                sp.cost.value,
                ("yes" if sp.provenance.verified else "no")
                if not verified_mark
                else ("yes" if sp.provenance.verified else "? no"),
            ]
            for sp in items
        ]

    def rich() -> list[RenderableType]:
        parts: list[RenderableType] = [table(title, headers, rows())]
        parts.append(f"{len(items)} sub-practices.")
        if any(not sp.provenance.verified for sp in items):
            parts.append(UNVERIFIED_NOTE)
        return parts

    emit(
        fmt,
        kind="catalog.list",
        data=lambda: {
            "catalog_version": catalog.version,
            "count": len(items),
            "sub_practices": [sub_practice_dict(catalog, sp) for sp in items],
        },
        markdown=lambda: f"## {title}\n\n" + md_table(headers, rows(verified_mark=False)),
        rich=rich,
    )


@app.command("list")
def list_(
    tier: str | None = typer.Option(
        None,
        "--tier",
        "-t",
        help="small, medium or large: what an organization of that size is assessed on.",
    ),
    threat: str | None = typer.Option(
        None, "--threat", help="Only items that mitigate this threat (T1-T5)."
    ),
    practice: str | None = typer.Option(
        None, "--practice", "-p", help="Only this practice (1-10)."
    ),
    function: str | None = typer.Option(
        None,
        "--function",
        help="Only items linked to this NIST CSF 2.0 function (GV, ID, PR, DE, RS, RC).",
    ),
    unverified: bool = typer.Option(
        False, "--unverified", help="Only items not yet checked against the HICP text."
    ),
    fmt: Format = FORMAT,
) -> None:
    """List sub-practices, optionally filtered."""
    catalog = _catalog()
    items = _filtered(catalog, tier, threat, practice, function, unverified)
    _emit_list(catalog, items, fmt, f"HICP sub-practices (catalog {catalog.version})")


@app.command("search")
def search(
    text: str = typer.Argument(..., help="Words to look for, e.g. 'backup' or 'medical device'."),
    tier: str | None = typer.Option(
        None,
        "--tier",
        "-t",
        help="Limit to what a small, medium or large organization is assessed on.",
    ),
    fmt: Format = FORMAT,
) -> None:
    """Find sub-practices whose text contains every given word."""
    catalog = _catalog()
    found = {sp.id for sp in catalog.search(text)}
    items = [sp for sp in _filtered(catalog, tier, None, None, None, False) if sp.id in found]
    _emit_list(catalog, items, fmt, f"Sub-practices matching {text!r}")


@app.command("threats")
def threats(fmt: Format = FORMAT) -> None:
    """List the five HICP threats and which practices mitigate each."""
    catalog = _catalog()
    headers = ["ID", "Threat", "Also known as", "Likelihood", "Impact", "Mitigated by"]
    rows = [
        [
            t.id,
            t.name,
            "; ".join(t.aliases),
            t.likelihood,
            t.impact,
            " ".join(p.id for p in catalog.practices_mitigating(t.id)),
        ]
        for t in catalog.threats.values()
    ]
    emit(
        fmt,
        kind="catalog.threats",
        data=lambda: {
            "catalog_version": catalog.version,
            "threats": [
                {
                    **t.model_dump(mode="json", exclude_none=True),
                    "mitigated_by": [p.id for p in catalog.practices_mitigating(t.id)],
                }
                for t in catalog.threats.values()
            ],
        },
        markdown=lambda: "## HICP threats\n\n" + md_table(headers, rows),
        rich=lambda: [
            table("HICP threats (likelihood and impact are default ratings, 1-5)", headers, rows)
        ],
    )


@app.command("practices")
def practices(fmt: Format = FORMAT) -> None:
    """List the ten HICP practices with their sub-practice counts per tier."""
    catalog = _catalog()
    headers = ["ID", "Practice", "2018 name", "Threats", "Small", "Medium", "Large"]

    def count(p: Practice, letter: str) -> int:
        return sum(1 for sp in p.sub_practices if sp.tier.letter == letter)

    rows = [
        [
            p.id,
            p.name,
            "; ".join(p.aliases),
            " ".join(p.mitigates),
            count(p, "S"),
            count(p, "M"),
            count(p, "L"),
        ]
        for p in catalog.practices.values()
    ]
    emit(
        fmt,
        kind="catalog.practices",
        data=lambda: {
            "catalog_version": catalog.version,
            "known_gaps": list(catalog.info.known_gaps),
            "practices": [
                {
                    **p.model_dump(mode="json", exclude={"sub_practices"}, exclude_none=True),
                    "sub_practices": [sp.id for sp in p.sub_practices],
                }
                for p in catalog.practices.values()
            ],
        },
        markdown=lambda: (
            "## HICP practices\n\n" + md_table(headers, rows) + "\n\n" + _gaps_note(catalog)
        ),
        rich=lambda: [
            table("HICP practices", headers, rows, justify=["left"] * 4 + ["right"] * 3),
            _gaps_note(catalog),
        ],
    )


def _csf_1_1_field(catalog: Catalog, sp: SubPractice) -> tuple[str, str]:
    if sp.csf_derived is None or sp.csf_1_1:
        return ("NIST CSF 1.1 (as HICP prints it)", ", ".join(sp.csf_1_1) or "none given")
    borrowed = ", ".join(sp.csf_derived.source_items)
    return (
        f"NIST CSF 1.1 (derived from {borrowed})",
        f"{', '.join(catalog.csf_1_1_of(sp))} — derived, not HICP's own mapping: "
        f"{sp.csf_derived.reason}",
    )


def _show_sub_practice(catalog: Catalog, sp: SubPractice, fmt: Format) -> None:
    data = sub_practice_dict(catalog, sp)
    refs = catalog.references
    prov = sp.provenance
    source = catalog.sources[prov.source]
    verified = "yes" if prov.verified else f"no — {prov.note or 'not checked'}"
    fields = [
        ("Practice", f"{data['practice']} {data['practice_name']}"),
        ("Tier", sp.tier.value),
        ("Threats", ", ".join(f"{t} {catalog.threats[t].name}" for t in data["threats"])),
        ("Question", sp.question),
        ("In short", sp.summary),
        ("Why it matters", sp.why),
        ("What good looks like", sp.good),
        ("Technical guidance", sp.guidance),
        _csf_1_1_field(catalog, sp),
        ("NIST CSF 2.0 (derived via NIST crosswalk)", ", ".join(data["csf_2_0_derived"]) or "–"),
        (
            "HIPAA Security Rule (related)",
            ", ".join(f"{h} {refs.hipaa[h].name}" for h in sp.hipaa) or "–",
        ),
        ("Effort / cost", f"{sp.effort.value} / {sp.cost.value}"),
        ("Do first", ", ".join(sp.depends_on) or "–"),
        ("Source", f"{source.title} ({prov.edition})" + (f", {prov.page}" if prov.page else "")),
        ("Verified", verified),
    ]
    fields.insert(1, ("Title checked against", f"HICP {sp.title_edition} edition"))
    if sp.aliases:
        fields.insert(1, ("Also titled", "; ".join(sp.aliases)))

    def rich() -> list[RenderableType]:
        from rich.table import Table

        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for name, value in fields:
            grid.add_row(name, value)
        return [f"[bold]{sp.id} {sp.title}[/bold]", grid]

    emit(
        fmt,
        kind="catalog.sub_practice",
        data=lambda: {"catalog_version": catalog.version, **data},
        markdown=lambda: (
            f"## {sp.id} {sp.title}\n\n"
            + "\n".join(f"- **{name}:** {value}" for name, value in fields)
        ),
        rich=rich,
    )


def _show_practice(catalog: Catalog, practice: Practice, fmt: Format) -> None:
    items = list(practice.sub_practices)
    _emit_list(catalog, items, fmt, f"{practice.id} {practice.name}: {practice.summary}")


def _show_threat(catalog: Catalog, threat: Threat, fmt: Format) -> None:
    items = [sp for sp in catalog.sub_practices.values() if threat.id in catalog.threats_of(sp.id)]
    _emit_list(catalog, items, fmt, f"{threat.id} {threat.name}: {threat.summary}")


@app.command("show")
def show(
    item_id: str = typer.Argument(
        ..., metavar="ID", help="A sub-practice (7.M.D), practice (7 or P7) or threat (T2)."
    ),
    fmt: Format = FORMAT,
) -> None:
    """Show one sub-practice in full, or the sub-practices of a practice or threat."""
    from hicp.catalog import Practice, SubPractice

    catalog = _catalog()
    item = catalog.get(item_id)
    if isinstance(item, SubPractice):
        _show_sub_practice(catalog, item, fmt)
    elif isinstance(item, Practice):
        _show_practice(catalog, item, fmt)
    else:
        _show_threat(catalog, item, fmt)
