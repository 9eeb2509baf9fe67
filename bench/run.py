"""Benchmarks for the foundation, each printed as a ratio to a baseline measured in the same run.

- CLI start-up: `hicp --help` against `python -c pass` (the interpreter's own start-up).
- Catalog: load + validate + cross-check against parsing the same YAML files alone.
- Engine: scoring + planning the large example against loading (parse + validate) that file.
- Reports: rendering each format for the large example against scoring + planning it.

Ratios, not seconds, are what to compare between runs and machines.
Run with `make bench`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

from hicp.assessment.plan import build_plan
from hicp.assessment.scoring import score
from hicp.assessment.store import load_assessment
from hicp.catalog import load_catalog
from hicp.catalog.loader import DATA_DIR

ROOT = Path(__file__).resolve().parent.parent
LARGE_EXAMPLE = ROOT / "examples" / "health-system.yaml"
HICP = Path(sys.executable).parent / "hicp"


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_command(*argv: str) -> Callable[[], object]:
    return lambda: subprocess.run(argv, check=True, capture_output=True)


def row(name: str, subject: float, baseline_name: str, baseline: float) -> None:
    print(
        f"{name:<34} {subject * 1000:9.1f} ms   {baseline_name:<30} "
        f"{baseline * 1000:9.1f} ms   ratio {subject / baseline:6.2f}x"
    )


def main() -> None:
    print(f"hicp benchmarks (median of repeated runs), Python {sys.version.split()[0]}\n")

    python = median_seconds(run_command(sys.executable, "-c", "pass"), 15)
    hicp_help = median_seconds(run_command(str(HICP), "--help"), 15)
    row("hicp --help", hicp_help, "python -c pass", python)

    files = [*sorted((DATA_DIR / "catalog").rglob("*.yaml"))]
    yaml = YAML(typ="safe", pure=False)
    parse_only = median_seconds(lambda: [yaml.load(f.read_text("utf-8")) for f in files], 30)
    catalog_load = median_seconds(load_catalog, 30)
    row("load + validate catalog", catalog_load, "parse the catalog YAML only", parse_only)

    catalog = load_catalog()
    loaded = load_assessment(LARGE_EXAMPLE, catalog)
    load_large = median_seconds(lambda: load_assessment(LARGE_EXAMPLE, catalog), 30)
    engine = median_seconds(
        lambda: build_plan(catalog, loaded.assessment, result=score(catalog, loaded.assessment)), 30
    )
    row("score + plan (large example)", engine, "load the large example", load_large)

    # Reports: each format's render time beside the time to score and plan the same example.
    from hicp.reports import RENDERERS, render
    from hicp.reports.context import build_context

    context = build_context(catalog, loaded.assessment)
    print()
    for fmt in RENDERERS:
        render(fmt, context)  # first call imports the renderer; time the steady state
        repeat = 3 if fmt == "pdf" else 10
        seconds = median_seconds(lambda fmt=fmt: render(fmt, context), repeat)
        row(f"render {fmt} (large example)", seconds, "score + plan", engine)


if __name__ == "__main__":
    main()
