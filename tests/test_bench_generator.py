"""The benchmark data generator: real importers read its files, counts and planted gaps agree."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hicp.evidence.base import detect
from hicp.evidence.metrics import METRICS, MetricContext, prepare
from hicp.evidence.models import Asset
from hicp.evidence.store import EvidenceStore

GENERATOR = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
SCALE = "0.001"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return load_generator()


@pytest.fixture(scope="module")
def generated(generator: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("bench-data")
    assert generator.main([str(outdir), "--scale", SCALE, "--seed", "7"]) == 0
    return outdir


def manifest(outdir: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((outdir / "manifest.json").read_text("utf-8"))
    return loaded


def test_every_file_is_detected_as_its_kind_and_yields_the_counted_records(
    generated: Path,
) -> None:
    files = manifest(generated)["files"]
    assert {info["kind"] for info in files.values()} == {
        "nessus", "openvas", "qualys", "generic", "inventory", "identity", "dns"
    }  # fmt: skip
    for name, info in files.items():
        path = generated / name
        found = detect(path)
        assert found.name == info["kind"], name
        assert sum(1 for _ in found.read(path)) == info["records"], name
        assert info["records"] > 0 and path.stat().st_size == info["bytes"], name


def test_the_inventory_types_come_out_as_the_generator_meant(generated: Path) -> None:
    info = manifest(generated)["files"]["inventory.csv"]
    path = generated / "inventory.csv"
    assets = [record for record in detect(path).read(path) if isinstance(record, Asset)]
    assert len(assets) == info["records"]
    kinds = Counter(asset.type.value for asset in assets)
    assert kinds == {kind: count for kind, count in info["types"].items() if count}


METRICS_CHECKED = (
    "inventory_covers_scanned",
    "scan_covers_inventory",
    "supported_os",
    "endpoint_agent_coverage",
    "disk_encryption_coverage",
    "medical_devices_segregated",
    "mfa_all_users",
    "mfa_privileged",
    "active_accounts",
    "dmarc_enforced",
)


@pytest.fixture(scope="module")
def store(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EvidenceStore]:
    data = manifest(generated)
    with EvidenceStore(tmp_path_factory.mktemp("store") / "bench.evidence.db") as opened:
        for name, info in data["files"].items():
            path = generated / name
            result = opened.store(path, info["kind"], detect(path).read(path))
            assert result.records == info["records"], name
        prepare(opened.db)
        yield opened


def test_every_metric_with_planted_gaps_is_checked(generated: Path) -> None:
    assert set(METRICS_CHECKED) == set(manifest(generated)["expect"])


@pytest.mark.parametrize("metric", METRICS_CHECKED)
def test_the_metrics_find_exactly_the_planted_gaps(
    generated: Path, store: EvidenceStore, metric: str
) -> None:
    data = manifest(generated)
    context = MetricContext(as_of=dt.date.fromisoformat(data["as_of"]))
    wanted = data["expect"][metric]
    assert 0 < wanted["bad"] < wanted["total"], "the generator should plant the gap"
    value = METRICS[metric](store.db, context)
    assert value is not None
    assert (value.total, value.bad) == (wanted["total"], wanted["bad"])


def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not(
    generator: ModuleType, generated: Path, tmp_path: Path
) -> None:
    generator.generate(tmp_path / "again", float(SCALE), 7)
    generator.generate(tmp_path / "other", float(SCALE), 8)
    for name in [*manifest(generated)["files"], "manifest.json"]:
        assert (tmp_path / "again" / name).read_bytes() == (generated / name).read_bytes(), name
    first = (generated / "northwind-internal.nessus").read_bytes()
    assert (tmp_path / "other" / "northwind-internal.nessus").read_bytes() != first
