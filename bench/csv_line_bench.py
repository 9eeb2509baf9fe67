"""Overlong CSV line benchmark: a file of one huge line must fail fast in bounded memory.

    python bench/csv_line_bench.py [--megabytes 400] [--dir DIR]

Writes a generic findings CSV whose third line is one cell of --megabytes MB without a line
break, then, each in a fresh subprocess so peaks do not mix:

- baseline: read the file in 1 MiB chunks and count its bytes (what any reader must do at least);
- import: ``importer("generic").read`` of it, which must raise the "record ... longer than"
  error naming line 3.

Printed: seconds, peak resident memory (ru_maxrss) and the import's time as a ratio to the
baseline. Target: the import's peak RSS stays under 200 MB whatever the line's size (before
the bounded reader it took 3.3 GB for 400 MB and died of MemoryError).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RSS_TARGET_MB = 200
MIB = 1 << 20


def peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (peak if sys.platform == "darwin" else peak * 1024) / 1e6


def write(path: Path, megabytes: int) -> None:
    chunk = b"x" * MIB
    with path.open("wb") as out:
        out.write(b"host,check_id,title,severity\n10.0.0.1,X-1,short,low\n10.0.0.2,X-2,")
        for _ in range(megabytes):
            out.write(chunk)
        out.write(b",low\n")


def step(name: str, path: Path) -> dict[str, Any]:
    started = time.perf_counter()
    outcome = ""
    if name == "baseline":
        with path.open("rb") as handle:
            while handle.read(MIB):
                pass
    else:
        from hicp.errors import ImportError_
        from hicp.evidence.base import importer

        try:
            list(importer("generic").read(path))
        except ImportError_ as exc:
            outcome = str(exc.problems[0]) if exc.problems else str(exc)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(), "outcome": outcome}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=400)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.file)))
        return 0
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        path = Path(folder) / "one-line.csv"
        write(path, args.megabytes)
        results: dict[str, dict[str, Any]] = {}
        for name in ("baseline", "import"):
            done = subprocess.run(
                [sys.executable, __file__, "--step", name, "--file", str(path)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            results[name] = json.loads(done.stdout)
    base, run = results["baseline"], results["import"]
    ratio = run["seconds"] / max(base["seconds"], 1e-9)
    print(f"one CSV line of {args.megabytes} MB\n")
    print(f"{'step':<28}{'seconds':>9}{'peak RSS':>11}{'vs baseline':>13}")
    for label, found, times in (
        ("read in 1 MiB chunks", base, 1.0),
        ("importer(generic).read", run, ratio),
    ):
        print(f"{label:<28}{found['seconds']:>9.2f}{found['peak_mb']:>8.0f} MB{times:>12.2f}x")
    print(f"\nerror: {run['outcome']}")
    ok = run["peak_mb"] < RSS_TARGET_MB and "longer than" in str(run["outcome"])
    verdict = "met" if ok else "MISSED"
    print(f"target: fails naming the line, peak RSS under {RSS_TARGET_MB} MB: {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
