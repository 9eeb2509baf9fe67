"""Load the catalog's YAML files, validate them, cross-check every reference, and fail once.

Every problem in every file is collected before raising, so a broken catalog is reported in one
go with the file, the line, the entry (threat, practice or sub-practice ID) and the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from hicp import yamlio
from hicp.catalog.catalog import Catalog
from hicp.catalog.models import (
    CatalogInfo,
    PerformanceGoal,
    Practice,
    Provenance,
    Sizing,
    Source,
    SubPractice,
    Threat,
    Tier,
)
from hicp.catalog.references import References, load_references
from hicp.errors import CatalogError, Problem

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

EXPECTED_THREATS = tuple(f"T{n}" for n in range(1, 6))
EXPECTED_PRACTICES = tuple(f"P{n}" for n in range(1, 11))


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._trees: dict[Path, Any] = {}

    def _line(self, path: Path, loc: Sequence[str | int]) -> int | None:
        # Parsing again with line information happens only on the error path.
        if path not in self._trees:
            try:
                self._trees[path] = yamlio.load(path, CatalogError, yamlio.Mode.LOCATE)
            except CatalogError:
                self._trees[path] = None
        return yamlio.line_of(self._trees[path], loc) if self._trees[path] is not None else None

    def problems_for(self, path: Path) -> bool:
        return any(p.file == path for p in self.problems)

    def add(self, path: Path, message: str, loc: Sequence[str | int] = (), where: str = "") -> None:
        self.problems.append(
            Problem(message, file=path, line=self._line(path, loc), where=where or None)
        )

    def validation(
        self, path: Path, exc: ValidationError, data: Any, prefix: Sequence[str | int] = ()
    ) -> None:
        for err in exc.errors():
            loc = (*prefix, *err["loc"])
            self.add(path, err["msg"], loc, _describe(data, err["loc"]))


def _describe(data: Any, loc: Sequence[str | int]) -> str:
    """Name a place by entry IDs rather than list indexes: ``7.M.D.effort``, not ``6.3.effort``."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            ident = node.get("id") or node.get("key") if isinstance(node, dict) else None
            parts.append(str(ident) if ident else f"#{key + 1}")
        elif isinstance(node, dict) and key in node:
            node = node[key]
            if key != "sub_practices":
                parts.append(str(key))
        else:
            parts.append(str(key))
    return ".".join(parts)


def _read(path: Path, problems: _Collector) -> Any:
    try:
        return yamlio.load(path, CatalogError)
    except CatalogError as exc:
        problems.problems.extend(exc.problems or [Problem(exc.summary, file=path)])
        return None


def _validate(model: Any, path: Path, data: Any, problems: _Collector) -> Any:
    if data is None and not problems.problems_for(path):
        problems.add(path, "the file is empty")
        return None
    try:
        return TypeAdapter(model).validate_python(data)
    except ValidationError as exc:
        problems.validation(path, exc, data)
        return None


def _check_provenance(
    path: Path,
    where: str,
    loc: Sequence[str | int],
    provenance: Provenance,
    sources: dict[str, Source],
    problems: _Collector,
) -> None:
    """The source exists, and a verified entry says where it was checked.

    "Verified" is a claim a reader must be able to check: it names a publication and the page
    (or, for a copy without page numbers, the section), or a single web page. The project's own
    judgement never verifies an HICP fact.
    """
    source = sources.get(provenance.source)
    if source is None:
        if sources:
            problems.add(
                path,
                f"cites unknown source {provenance.source!r}; add it to sources.yaml",
                (*loc, "provenance", "source"),
                f"{where}.provenance.source",
            )
        return
    if not provenance.verified:
        return
    if source.kind == "project":
        problems.add(
            path,
            f"is marked verified but cites {source.key!r}, the project's own judgement; "
            "verified needs a publication and page",
            (*loc, "provenance", "verified"),
            f"{where}.provenance.verified",
        )
    elif source.kind == "publication" and not provenance.page:
        problems.add(
            path,
            f"is marked verified but names no page of {source.key!r}; "
            "add provenance.page or set verified: false with a note",
            (*loc, "provenance", "verified"),
            f"{where}.provenance.verified",
        )


def _cross_check(
    practices: list[tuple[Path, Practice]],
    threats: dict[str, Threat],
    sources: dict[str, Source],
    refs: References,
    threats_path: Path,
    problems: _Collector,
) -> None:
    seen: dict[str, Path] = {}
    all_ids = {sp.id for _, p in practices for sp in p.sub_practices}
    for index, threat in enumerate(threats.values()):
        _check_provenance(threats_path, threat.id, (index,), threat.provenance, sources, problems)
    missing_threats = [t for t in EXPECTED_THREATS if t not in threats]
    if missing_threats:
        problems.add(threats_path, f"missing threats: {', '.join(missing_threats)}")

    practice_ids = [p.id for _, p in practices]
    for pid in EXPECTED_PRACTICES:
        if practice_ids.count(pid) > 1:
            problems.add(practices[practice_ids.index(pid)][0], f"practice {pid} is defined twice")
    missing = [p for p in EXPECTED_PRACTICES if p not in practice_ids]
    if missing:
        problems.add(DATA_DIR / "catalog" / "practices", f"missing practices: {', '.join(missing)}")

    for index, threat in enumerate(threats.values()):
        listed = {p.id for _, p in practices if threat.id in p.mitigates}
        if set(threat.practices) != listed:
            problems.add(
                threats_path,
                f"practices {sorted(threat.practices)} must be exactly the practices whose "
                f"`mitigates` lists {threat.id}: {sorted(listed)}",
                (index, "practices"),
                f"{threat.id}.practices",
            )
        dedicated = threat.dedicated_practice
        if dedicated is not None and (
            dedicated not in threat.practices
            or any(p.id == dedicated and p.mitigates != (threat.id,) for _, p in practices)
        ):
            problems.add(
                threats_path,
                f"dedicated_practice {dedicated} must be a practice that mitigates "
                f"{threat.id} and no other threat",
                (index, "dedicated_practice"),
                f"{threat.id}.dedicated_practice",
            )

    for path, practice in practices:
        _check_provenance(path, practice.id, (), practice.provenance, sources, problems)
        for threat_id in practice.mitigates:
            if threat_id not in threats:
                problems.add(
                    path,
                    f"mitigates unknown threat {threat_id}",
                    ("mitigates",),
                    f"{practice.id}.mitigates",
                )
        for index, sp in enumerate(practice.sub_practices):
            loc: tuple[str | int, ...] = ("sub_practices", index)
            _check_sub_practice(path, practice, sp, loc, seen, all_ids, sources, refs, problems)
    by_id = {sp.id: sp for _, p in practices for sp in p.sub_practices}
    for path, practice in practices:
        for index, sp in enumerate(practice.sub_practices):
            _check_derived_csf(path, sp, ("sub_practices", index), by_id, problems)


def _check_derived_csf(
    path: Path,
    sp: SubPractice,
    loc: tuple[str | int, ...],
    by_id: dict[str, SubPractice],
    problems: _Collector,
) -> None:
    """Derived references come from medium items of the same practice that have HICP's own."""
    if sp.csf_derived is None:
        return
    where = f"{sp.id}.csf_derived"
    if sp.csf_1_1:
        problems.add(
            path,
            "has HICP's own NIST references in csf_1_1, so it must not derive others",
            (*loc, "csf_derived"),
            where,
        )
    for source_id in sp.csf_derived.source_items:
        other = by_id.get(source_id)
        if other is None:
            problem = f"derives its NIST references from unknown sub-practice {source_id}"
        elif other.practice_number != sp.practice_number or other.tier is not Tier.MEDIUM:
            problem = f"derives from {source_id}, which is not a medium item of the same practice"
        elif not other.csf_1_1:
            problem = f"derives from {source_id}, which has no NIST references of its own"
        else:
            continue
        problems.add(path, problem, (*loc, "csf_derived", "from"), where)


def _check_sub_practice(
    path: Path,
    practice: Practice,
    sp: SubPractice,
    loc: tuple[str | int, ...],
    seen: dict[str, Path],
    all_ids: set[str],
    sources: dict[str, Source],
    refs: References,
    problems: _Collector,
) -> None:
    if sp.id in seen:
        problems.add(path, f"ID {sp.id} is already used in {seen[sp.id].name}", (*loc, "id"), sp.id)
    seen[sp.id] = path
    if sp.practice_number != practice.number:
        problems.add(
            path,
            f"ID {sp.id} belongs to practice P{sp.practice_number}, not {practice.id}",
            (*loc, "id"),
            sp.id,
        )
    _check_provenance(path, sp.id, loc, sp.provenance, sources, problems)
    for ref in sp.csf_1_1:
        if ref not in refs.csf_1_1:
            problems.add(
                path,
                f"unknown NIST CSF 1.1 reference {ref!r}",
                (*loc, "csf_1_1"),
                f"{sp.id}.csf_1_1",
            )
    for ref in sp.hipaa:
        if ref not in refs.hipaa or refs.hipaa[ref].level != "standard":
            problems.add(
                path,
                f"not a HIPAA Security Rule standard: {ref!r}",
                (*loc, "hipaa"),
                f"{sp.id}.hipaa",
            )
    for dep in sp.depends_on:
        if dep == sp.id:
            problems.add(path, "depends on itself", (*loc, "depends_on"), f"{sp.id}.depends_on")
        elif dep not in all_ids:
            problems.add(
                path,
                f"depends on unknown sub-practice {dep}",
                (*loc, "depends_on"),
                f"{sp.id}.depends_on",
            )


def _check_cycles(practices: list[tuple[Path, Practice]], problems: _Collector) -> None:
    graph = {sp.id: sp.depends_on for _, p in practices for sp in p.sub_practices}
    where = {sp.id: path for path, p in practices for sp in p.sub_practices}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                cycle = [*trail[trail.index(dep) :], dep] if dep in trail else [node, dep]
                problems.add(where[node], "dependency cycle: " + " -> ".join(cycle), (), node)
            elif dep in graph and state.get(dep) is None:
                visit(dep, [*trail, dep])
        state[node] = 2

    for node in graph:
        if state.get(node) is None:
            visit(node, [node])


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load and validate the catalog under ``directory`` (the shipped one by default)."""
    root = directory or DATA_DIR
    catalog_dir = root / "catalog"
    problems = _Collector()

    info_path = catalog_dir / "catalog.yaml"
    info = _validate(CatalogInfo, info_path, _read(info_path, problems), problems)
    sources_path = catalog_dir / "sources.yaml"
    source_list = _validate(list[Source], sources_path, _read(sources_path, problems), problems)
    sources = {s.key: s for s in source_list or []}
    threats_path = catalog_dir / "threats.yaml"
    threat_list = _validate(list[Threat], threats_path, _read(threats_path, problems), problems)
    threats = {t.id: t for t in threat_list or []}
    goals_path = catalog_dir / "cpgs.yaml"
    goal_list = _validate(list[PerformanceGoal], goals_path, _read(goals_path, problems), problems)
    goals = {g.id: g for g in goal_list or []}
    sizing_path = catalog_dir / "sizing.yaml"
    sizing = _validate(Sizing, sizing_path, _read(sizing_path, problems), problems)

    practices: list[tuple[Path, Practice]] = []
    for path in sorted((catalog_dir / "practices").glob("*.yaml")):
        practice = _validate(Practice, path, _read(path, problems), problems)
        if practice is not None:
            practices.append((path, practice))
    practices.sort(key=lambda item: item[1].number)

    refs = load_references(root / "crosswalks")
    # Cross-references are checked only once every file is well formed: an entry missing
    # because its file failed to parse would otherwise be reported again as dangling links.
    if not problems.problems:
        _cross_check(practices, threats, sources, refs, threats_path, problems)
        _check_cycles(practices, problems)
        known = {sp.id for _, p in practices for sp in p.sub_practices}
        for index, goal in enumerate(goals.values()):
            for sub_id in goal.sub_practices:
                if sub_id not in known:
                    problems.add(
                        goals_path,
                        f"links unknown sub-practice {sub_id}",
                        (index, "sub_practices"),
                        f"{goal.id}.sub_practices",
                    )
        for index, criterion in enumerate(sizing.criteria if sizing else ()):
            _check_provenance(
                sizing_path,
                criterion.key,
                ("criteria", index),
                criterion.provenance,
                sources,
                problems,
            )

    if problems.problems or info is None or sizing is None:
        count = len(problems.problems)
        raise CatalogError(
            f"the HICP catalog in {root} has {count} problem{'s' if count != 1 else ''}",
            problems.problems,
        )
    if set(info.scope) != set(Tier):
        raise CatalogError(f"{info_path}: scope must name small, medium and large")
    return Catalog(
        info=info,
        threats=threats,
        practices={p.id: p for _, p in practices},
        sources=sources,
        sizing=sizing,
        references=refs,
        goals=goals,
    )


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The shipped catalog, loaded once per process."""
    return load_catalog()
