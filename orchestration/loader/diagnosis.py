"""What a CSV file that does not follow the landing contract looks like, and what to do.

A file quarantined whole for its shape (a required column missing from the header, not
UTF-8) is usually a valid export of another tool in another shape: a spreadsheet saved
with semicolons, Excel's Windows-1252, a survey tool's extra header rows. `describe_csv`
reads the file's first bytes and names what it sees, so the quarantine reason says what to
do instead of only "missing columns".
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from .contract import Entity

SAMPLE_BYTES = 64 * 1024
MAPPING_HINT = (
    "land it in a folder described by a source mapping (landing contract: extracts in "
    "another shape), or export it again as UTF-8, comma separated, one header row"
)


def _decoded(raw: bytes) -> tuple[str, str | None]:
    """The text and, when it is not UTF-8, the encoding it most likely is."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        if len(raw) == SAMPLE_BYTES and exc.start >= len(raw) - 3:  # cut by the sample
            return raw[: exc.start].decode("utf-8-sig"), None
    try:
        # Windows-1252 leaves 5 bytes undefined; Latin-1 reads any byte
        return raw.decode("cp1252"), "Windows-1252 (Excel on Windows) or Latin-1"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Latin-1 (ISO-8859-1)"


def _names(line: str, delimiter: str) -> set[str]:
    try:
        row = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
    except csv.Error:
        return set()
    return {c.strip().lower() for c in row}


def describe_csv(path: Path, entity: Entity) -> list[str]:
    """Phrases naming what the file looks like (empty when nothing is recognised)."""
    with Path(path).open("rb") as f:
        raw = f.read(SAMPLE_BYTES)
    text, encoding = _decoded(raw)
    lines = text.splitlines()[:4]
    found: list[str] = []
    if encoding:
        found.append(f"the text is {encoding}, not UTF-8")
    if not lines:
        return found
    required = set(entity.required_columns)
    header = lines[0]
    for delimiter, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
        if header.count(delimiter) > header.count(","):
            names = _names(header, delimiter)
            matched = "with the contract's column names" if required <= names else ""
            found.append(f"it is {name} separated {matched}".strip())
            break
    if any('"importid"' in line.lower() for line in lines[1:3]):
        found.append(
            "it has the extra header rows of a Qualtrics export (question texts, then ImportId)"
        )
    elif not required <= _names(header, ",") and any(
        required <= _names(line, ",") for line in lines[1:3]
    ):
        found.append("the contract's column names are on a later row: more than one header row")
    if ";" in header and any(re.search(r"(?:^|;)-?\d+,\d+(?:;|$)", line) for line in lines[1:]):
        found.append("its numbers use a decimal comma")
    return found


def diagnosis(path: Path, entity: Entity) -> str:
    """` (it looks like …; what to do)` to append to a whole-file reason, or ''."""
    try:
        found = describe_csv(path, entity)
    except OSError:
        return ""
    if not found:
        return ""
    return f". The file looks like: {'; '.join(found)}. To load it, {MAPPING_HINT}"
