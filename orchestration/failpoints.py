"""Fail points: named places where a test can kill the run as a crash would.

`failpoint(name)` does nothing unless the environment variable CXW_FAILPOINTS names it
(comma-separated); then the process group of the run gets SIGKILL there and then, with
no clean-up, as a power cut or the kernel's OOM killer would (dbt's subprocess included).
The crash tests (tests/test_crash_recovery.py) kill a run at each point in turn and check
that the last good release stays readable and that the next run recovers. The points:

- loader.inside_file: a file's rows are in raw, its transaction is not committed;
- loader.between_files: a file is committed, the next not started;
- dbt.inside_build: dbt has built some models, not all;
- checks.inside_suite: a quality suite is running;
- publish.inside_copy: the new release file is half written;
- publish.after_swap: the new release is current, old releases not yet pruned.
"""

from __future__ import annotations

import os
import signal

FAILPOINTS = (
    "loader.inside_file",
    "loader.between_files",
    "dbt.inside_build",
    "checks.inside_suite",
    "publish.inside_copy",
    "publish.after_swap",
)


def failpoint(name: str) -> None:
    """SIGKILL the run's process group when CXW_FAILPOINTS names `name` (tests only)."""
    assert name in FAILPOINTS, name
    armed = os.environ.get("CXW_FAILPOINTS", "")
    if name in (part.strip() for part in armed.split(",")):
        os.killpg(os.getpgrp(), signal.SIGKILL)
