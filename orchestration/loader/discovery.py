"""Find the landing files of an entity, in the order they are loaded."""

from __future__ import annotations

from pathlib import Path

from .contract import Entity

# Every format the contract accepts somewhere; used to tell "wrong folder/format" files apart.
KNOWN_SUFFIXES = (".csv", ".jsonl.gz", ".jsonl", ".parquet")


def file_format(path: Path) -> str | None:
    """The landing format of a file from its name: csv, jsonl, jsonl.gz, parquet or None."""
    name = path.name.lower()
    for suffix in KNOWN_SUFFIXES:
        if name.endswith(suffix):
            return suffix.lstrip(".")
    return None


def relative_name(path: Path, landing_dir: Path) -> str:
    """The path of a landing file relative to the landing folder, with forward slashes."""
    return path.relative_to(landing_dir).as_posix()


def _candidates(landing_dir: Path, entity: Entity) -> list[Path]:
    folder = landing_dir / entity.folder
    if not folder.is_dir():
        return []
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
    ]
    return sorted(files, key=lambda p: relative_name(p, landing_dir))


def landing_files(landing_dir: Path, entity: Entity) -> list[Path]:
    """The entity's landing files in an accepted format, in lexical order of their path.

    Files and folders whose name starts with "." or "_" (editor and upload temp files)
    are ignored.
    """
    landing_dir = Path(landing_dir)
    formats = tuple(f.lower() for f in entity.formats)
    return [p for p in _candidates(landing_dir, entity) if p.name.lower().endswith(formats)]


def unsupported_files(landing_dir: Path, entity: Entity) -> list[Path]:
    """Files in the entity's folder that are not in one of its formats (quarantined whole)."""
    landing_dir = Path(landing_dir)
    formats = tuple(f.lower() for f in entity.formats)
    return [p for p in _candidates(landing_dir, entity) if not p.name.lower().endswith(formats)]
