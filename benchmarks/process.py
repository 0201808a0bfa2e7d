"""How the benchmark runs the project's commands: `cxw` beside this Python, a clean
environment (no CXW_ setting of the caller's leaks in), the tail of an output."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cxw() -> str:
    return str(Path(sys.executable).with_name("cxw"))


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without CXW_ settings and DAGSTER_HOME, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CXW_", "DAGSTER_HOME"))}
    env.update(extra)
    return env


def tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
