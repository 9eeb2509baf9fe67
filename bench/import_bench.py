"""Import benchmark: hicp's .nessus importer and evidence store against raw lxml, same run.

    python bench/import_bench.py DATADIR [--repeat N] [--max-records N] [--skip-store]

DATADIR is what bench/generate.py wrote (its manifest.json names the files; without one, every
file in the folder is detected). Steps, each in a fresh subprocess so that one step's memory
does not inflate the next one's peak:

- raw: ``lxml.etree.iterparse(path, events=("end",), tag="ReportItem")``, clearing each element
  and dropping finished siblings: the least any streaming .nessus reader must do (baseline).
- importer: ``importer("nessus").read(path)`` consumed fully (parse, validate, build Findings).
- store: ``EvidenceStore.store`` of that stream into a new database in a temporary folder
  (hash the file, then insert in one transaction): what ``hicp evidence import`` does.
- the other formats' importers, reading at most --max-records records each.

Printed: seconds, records/s, MB/s (10^6 bytes), peak resident memory (ru_maxrss) and each
step's time as a ratio to the raw baseline. Compare ratios between runs and machines, not
seconds. The targets (bench/README.md): importer within 2x of raw, peak RSS under 500 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

IMPORTER_TARGET = 2.0  # importer time / raw iterparse time
RSS_TARGET_MB = 500
OTHER_FORMATS_CAP = 200_000
MB = 1_000_000


def peak_rss_bytes() -> int:
    """This process's peak resident set size (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


# ---- steps (run in a child process) ------------------------------------------------------------


def raw_iterparse(path: Path, limit: int | None) -> int:
    from lxml import etree

    count = 0
    for _, element in etree.iterparse(str(path), events=("end",), tag="ReportItem"):
        count += 1
        element.clear()
        while element.getprevious() is not None:  # finished siblings would pile up otherwise
            del element.getparent()[0]
    return count


def read_all(kind: str) -> Callable[[Path, int | None], int]:
    def read(path: Path, limit: int | None) -> int:
        from hicp.evidence.base import importer

        count = 0
        for _ in importer(kind).read(path):
            count += 1
            if limit is not None and count >= limit:
                break
        return count

    return read


def store_all(path: Path, limit: int | None) -> int:
    from hicp.evidence.base import importer
    from hicp.evidence.store import EvidenceStore

    with (
        tempfile.TemporaryDirectory(prefix="hicp-bench-") as folder,
        EvidenceStore(Path(folder) / "bench.evidence.db") as store,
    ):
        return store.store(path, "nessus", importer("nessus").read(path)).records


def run_step(step: str, path: Path, limit: int | None) -> dict[str, Any]:
    steps: dict[str, Callable[[Path, int | None], int]] = {"raw": raw_iterparse, "store": store_all}
    work = steps.get(step) or read_all(step.removeprefix("read:"))
    if step != "raw":
        import hicp.evidence.base  # noqa: F401 - count the imports in "start", not in the work
    start_rss = peak_rss_bytes()
    began = time.perf_counter()
    records = work(path, limit)
    seconds = time.perf_counter() - began
    return {"records": records, "seconds": seconds, "start_rss": start_rss, "rss": peak_rss_bytes()}


# ---- the benchmark (parent process) ----------------------------------------------------------


def measure(step: str, path: Path, repeat: int, limit: int | None = None) -> dict[str, Any]:
    """Run a step ``repeat`` times, each in its own process: median time, highest peak."""
    runs = []
    for _ in range(repeat):
        argv = [sys.executable, __file__, "--step", step, str(path)]
        if limit is not None:
            argv += ["--max-records", str(limit)]
        done = subprocess.run(argv, check=True, capture_output=True, text=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        "records": runs[0]["records"],
        "seconds": statistics.median(r["seconds"] for r in runs),
        "start_rss": max(r["start_rss"] for r in runs),
        "rss": max(r["rss"] for r in runs),
    }


def data_files(datadir: Path) -> list[tuple[Path, str, int | None]]:
    """(file, kind, records the generator counted) for each file of the data set."""
    manifest = datadir / "manifest.json"
    if manifest.exists():
        files = json.loads(manifest.read_text("utf-8"))["files"]
        return [(datadir / name, info["kind"], info["records"]) for name, info in files.items()]
    from hicp.errors import ImportError_
    from hicp.evidence.base import detect

    found: list[tuple[Path, str, int | None]] = []
    for path in sorted(p for p in datadir.iterdir() if p.is_file()):
        with contextlib.suppress(ImportError_):  # not evidence: not benchmarked
            found.append((path, detect(path).name, None))
    return found


def megabytes(count: float) -> str:
    return f"{count / MB:,.0f} MB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark hicp's importers on generated data.")
    parser.add_argument("datadir", type=Path, help="a folder bench/generate.py wrote")
    parser.add_argument(
        "--repeat", type=int, default=0, help="runs per step (default: 3 under 100 MB, else 1)"
    )
    parser.add_argument(
        "--max-records",
        type=int,
        help=f"records read per other format (default {OTHER_FORMATS_CAP:,})",
    )
    parser.add_argument("--skip-store", action="store_true", help="leave out the store step")
    parser.add_argument("--step", help=argparse.SUPPRESS)  # internal: run one step, print JSON
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(run_step(args.step, args.datadir, args.max_records)))
        return 0
    cap = args.max_records or OTHER_FORMATS_CAP

    files = data_files(args.datadir)
    nessus = [(path, records) for path, kind, records in files if kind == "nessus"]
    if not nessus:
        parser.error(f"{args.datadir}: no .nessus file (run bench/generate.py first)")
    path, expected = nessus[0]
    size = path.stat().st_size
    repeat = args.repeat or (3 if size < 100 * MB else 1)
    from lxml import etree

    print(
        f"hicp import benchmark: Python {sys.version.split()[0]}, lxml "
        f"{'.'.join(map(str, etree.LXML_VERSION))}, {os.cpu_count()} CPUs, "
        f"{repeat} run(s) per step (median time, highest peak RSS)\n"
    )
    print(f"{path.name}: {size / MB:,.0f} MB\n")
    print(
        f"{'step':<32} {'seconds':>8} {'findings/s':>11} {'MB/s':>7} {'peak RSS':>9} "
        f"{'(start)':>9} {'vs raw':>7}"
    )
    steps = [("raw", "raw lxml iterparse (baseline)"), ("read:nessus", 'importer("nessus").read')]
    if not args.skip_store:
        steps.append(("store", "EvidenceStore.store"))
    results: dict[str, dict[str, Any]] = {}
    for step, title in steps:
        result = results[step] = measure(step, path, repeat)
        ratio = result["seconds"] / results["raw"]["seconds"]
        seconds = result["seconds"]
        print(
            f"{title:<32} {seconds:>8.2f} {result['records'] / seconds:>11,.0f} "
            f"{size / MB / seconds:>7.1f} {megabytes(result['rss']):>9} "
            f"{megabytes(result['start_rss']):>9} {ratio:>6.2f}x"
        )
    counts = {r["records"] for r in results.values()}
    if len(counts) > 1 or (expected is not None and counts != {expected}):
        print(f"\nwarning: the steps counted {sorted(counts)} items; the manifest says {expected}")

    importer_ratio = results["read:nessus"]["seconds"] / results["raw"]["seconds"]
    peak = max(r["rss"] for step, r in results.items() if step != "raw")
    print(
        f"\ntargets: importer within {IMPORTER_TARGET:.0f}x of raw: "
        f"{'met' if importer_ratio <= IMPORTER_TARGET else 'MISSED'} ({importer_ratio:.2f}x); "
        f"peak RSS under {RSS_TARGET_MB} MB: "
        f"{'met' if peak <= RSS_TARGET_MB * MB else 'MISSED'} ({megabytes(peak)})"
    )

    others = [(p, kind, n) for p, kind, n in files if kind != "nessus"]
    if others:
        print(f"\nother formats (importer only, at most {cap:,} records each)\n")
        print(
            f"{'file':<30} {'kind':<10} {'size':>9} {'records':>9} {'seconds':>8} "
            f"{'records/s':>10} {'peak RSS':>9}"
        )
    for other, kind, _ in others:
        result = measure(f"read:{kind}", other, 1, cap)
        rate = result["records"] / result["seconds"] if result["seconds"] else 0.0
        print(
            f"{other.name:<30} {kind:<10} {other.stat().st_size / MB:>6.1f} MB "
            f"{result['records']:>9,} {result['seconds']:>8.2f} {rate:>10,.0f} "
            f"{megabytes(result['rss']):>9}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
