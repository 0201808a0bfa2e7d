"""Resource errors: the machine ran out of something, the file is not at fault.

Out of memory, a full disk (or spill folder), an I/O or permission error says nothing about
the file being read: it must not be quarantined (the landing contract's bad input is a file
that cannot be read *as its format*). The load of that file fails, leaves no row in raw and
no line in raw.load_log, and the run fails with `LoadResourceError`; the next run, once the
resource is there, loads the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

# DuckDB reports a full disk, an unwritable spill folder and a failed read of the disk as
# IOException; it also uses IOException for some content errors of a file, so only the
# operating system's words (strerror texts) and DuckDB's spill limit make it a resource error.
_OS_ERROR_WORDS = re.compile(
    r"no space left|disk quota|permission denied|read-only file system|input/output error|"
    r"too many open files|cannot allocate memory|max_temp_directory_size|"
    r"failed to offload|could not write|could not create directory|not enough space",
    re.IGNORECASE,
)


class LoadResourceError(RuntimeError):
    """The load of one file stopped for lack of a resource (memory, disk, I/O, permission).

    The file is left unhandled (no raw rows, no load_log line): the run fails and can be
    retried; the next run loads the file. `path` is the file (relative to the landing
    folder), `kind` one of 'memory', 'disk', 'io'."""

    def __init__(self, path: str, kind: str, cause: BaseException) -> None:
        first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        advice = RESOURCE_ADVICE[kind]
        super().__init__(
            f"{path}: not loaded, the machine ran out of {_WHAT[kind]} ({first}); the file is "
            f"not quarantined and the next run loads it: {advice}"
        )
        self.path = path
        self.kind = kind


_WHAT = {"memory": "memory", "disk": "disk space", "io": "I/O (read, write or permission)"}


def resource_kind(exc: BaseException) -> str | None:
    """'memory', 'disk' or 'io' when `exc` is a lack of resource, else None (a fault of the
    data, or a bug)."""
    if isinstance(exc, LoadResourceError):
        return exc.kind
    # the first line only: DuckDB's next lines may quote the data ("Original Line: ...")
    text = (str(exc).strip().splitlines() or [""])[0]
    if isinstance(exc, MemoryError | duckdb.OutOfMemoryException):
        # DuckDB says "Out of Memory" also when the spill folder is full
        if re.search(r"max_temp_directory_size|no space left", text, re.IGNORECASE):
            return "disk"
        return "memory"
    if isinstance(exc, OSError):
        return "disk" if re.search(r"no space|quota", text, re.IGNORECASE) else "io"
    if isinstance(exc, duckdb.PermissionException):
        return "io"
    if isinstance(exc, duckdb.IOException) and _OS_ERROR_WORDS.search(text):
        if re.search(r"no space|quota|max_temp_directory_size|not enough space", text, re.I):
            return "disk"
        return "io"
    return None


def is_resource_error(exc: BaseException) -> bool:
    return resource_kind(exc) is not None


def resource_kind_of_message(message: str) -> str | None:
    """The same reading for an error known only by its text (a dbt model's, from
    run_results.json): 'memory', 'disk' or None."""
    if re.search(r"max_temp_directory_size|no space left|disk quota", message, re.I):
        return "disk"
    if re.search(r"out of memory|cannot allocate memory|std::bad_alloc", message, re.I):
        return "memory"
    return None


RESOURCE_ADVICE = {
    "memory": "raise CXW_MEMORY_LIMIT (or lower CXW_THREADS) and run again",
    "disk": "free disk space under CXW_SPILL_DIR (or raise CXW_SPILL_LIMIT) and run again",
    "io": "check that the file and CXW_DATA_DIR can be read and written, then run again",
}


def resource_failures(run_results: Path) -> list[str]:
    """The dbt nodes of `run_results` (run_results.json) that failed for lack of memory or
    spill space, each as 'model <name> ran out of <what> (<DuckDB's message>): <advice>'."""
    try:
        results = json.loads(Path(run_results).read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []
    failures = []
    for result in results:
        message = (result.get("message") or "").strip()
        kind = resource_kind_of_message(message) if result.get("status") == "error" else None
        if kind:
            lines = message.splitlines()
            first = next((line for line in lines if resource_kind_of_message(line)), message)
            what = "memory" if kind == "memory" else "spill space (CXW_SPILL_DIR)"
            name = result.get("unique_id", "?").split(".")[-1]
            failures.append(f"model {name} ran out of {what} ({first.strip()}): "
                            f"{RESOURCE_ADVICE[kind]}")  # fmt: skip
    return failures
