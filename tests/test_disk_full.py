"""The file system filling up during the release copy (issue 22, "A crash at any step").

A publish that cannot write its release ends in a clear error (what: the file system is
full; where: the temporary release file; what to do: free space or move CXW_SERVING_PATH),
the temporary file is removed, and the last release stays current, unchanged and readable.
Two ways to fill the disk, in a subprocess so that the test process is not limited:
- a file size limit (RLIMIT_FSIZE, SIGXFSZ ignored so the write fails with EFBIG), which
  works on any Linux machine;
- a real full file system: a small tmpfs holding the serving folder, mounted in a mount
  namespace of its own (`unshare -rm`), where the machine allows it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, cxw_env

# Publishes a first release (unlimited), then a second one under the limit; reports what
# the second one did and what the serving folder holds afterwards, as JSON.
SCRIPT = r"""
import json, os, resource, signal, sys
from pathlib import Path
import duckdb
from orchestration import serving

warehouse, serving_path, limit = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
first = serving.publish(warehouse, serving_path)
inode = serving_path.stat().st_ino
if limit:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))  # the soft limit only
try:
    serving.publish(warehouse, serving_path)
    error = None
except serving.PublishError as exc:
    error = str(exc)
hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
with duckdb.connect(str(serving_path), read_only=True) as con:
    (release_id,) = con.execute("select release_id from meta.release").fetchone()
    (rows,) = con.execute("select count(*) from marts.kpi_scorecard").fetchone()
print(json.dumps({
    "error": error,
    "first": first.release_id,
    "served": release_id,
    "same_inode": serving_path.stat().st_ino == inode,
    "kpi_rows": rows,
    "files": sorted(p.name for p in serving.releases_dir(serving_path).iterdir()),
}))
"""


def _check(outcome: dict, serving_folder: str) -> None:
    error = outcome["error"]
    assert error is not None, "the publish succeeded although the disk was full"
    # what, where, what to do
    assert "file system is full" in error
    assert f"{serving_folder}/releases/." in error and ".tmp" in error
    assert "Free space" in error and "CXW_SERVING_PATH" in error
    assert f"release {outcome['first']} stays current" in error
    # the last release: current, the same file, readable
    assert outcome["served"] == outcome["first"] and outcome["same_inode"]
    assert outcome["kpi_rows"] > 0
    # the temporary file (and any WAL of it) is gone: only the first release is left
    assert outcome["files"] == [f"{outcome['first']}.duckdb"]


def _run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=REPO,
        env=cxw_env(data_dir, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def warehouse(pipeline_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample's build file (its release is ~6 MB)."""
    copy = tmp_path_factory.mktemp("disk_full") / "cx.duckdb"
    shutil.copy2(pipeline_dir / "warehouse" / "cx.duckdb", copy)
    wal = pipeline_dir / "warehouse" / "cx.duckdb.wal"
    if wal.exists():
        shutil.copy2(wal, copy.with_name("cx.duckdb.wal"))
    return copy


def test_a_file_size_limit_during_the_release_copy_keeps_the_last_release(
    warehouse: Path, tmp_path: Path
) -> None:
    serving_path = tmp_path / "serving" / "cx.duckdb"
    # 1 MB: the sample's release (~6 MB) cannot be written, the DuckDB header can
    result = _run(
        [sys.executable, "-c", SCRIPT, str(warehouse), str(serving_path), str(1 << 20)], tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    _check(json.loads(result.stdout.splitlines()[-1]), str(serving_path.parent))


def _can_mount_tmpfs(folder: Path) -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=1m tmpfs '{folder}'"],
        capture_output=True,
        timeout=60,
    )
    return probe.returncode == 0


def test_a_full_tmpfs_during_the_release_copy_keeps_the_last_release(
    warehouse: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "serving"
    folder.mkdir()
    if not _can_mount_tmpfs(folder):
        pytest.skip("this machine does not allow mounting a tmpfs (unshare -rm)")
    # one release fits, a second one does not: 1.5 releases, in MiB
    probe = tmp_path / "probe" / "cx.duckdb"
    result = _run(
        [sys.executable, "-c", SCRIPT, str(warehouse), str(probe), str(1 << 20)], tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    release_bytes = next((probe.parent / "releases").glob("*.duckdb")).stat().st_size
    size = -(-release_bytes * 3 // 2 >> 20)
    serving_path = folder / "cx.duckdb"
    inner = " ".join(f"'{a}'" for a in (sys.executable, "-c", SCRIPT, warehouse, serving_path, 0))
    result = _run(
        [
            "unshare", "-rm", "sh", "-c",
            f"mount -t tmpfs -o size={size}m tmpfs '{folder}' && exec {inner}",
        ],
        tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    _check(json.loads(result.stdout.splitlines()[-1]), str(folder))
