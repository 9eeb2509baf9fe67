"""Atomic writes: all or nothing, and the permissions a user expects."""

from __future__ import annotations

import os
from pathlib import Path

from hicp.yamlio import write_atomic


def test_a_new_file_gets_the_permissions_the_umask_gives(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.yaml", "a: 1\n")
    finally:
        os.umask(old)
    assert (tmp_path / "new.yaml").stat().st_mode & 0o777 == 0o644


def test_an_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "private.yaml"
    target.write_text("a: 1\n")
    target.chmod(0o600)
    write_atomic(target, b"a: 2\n")
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_text() == "a: 2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["private.yaml"]
