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
    files = [p for p in folder.rglob("*") if p.is_file() and not is_hidden(p, folder)]
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


def is_hidden(path: Path, folder: Path) -> bool:
    """A hidden or temporary file: a part of its path under `folder` starts with . or _
    (.DS_Store, ~$ locks aside: editor swap files, upload temp files, Spark's _SUCCESS)."""
    return any(part.startswith((".", "_")) for part in path.relative_to(folder).parts)


def ignored_files(landing_dir: Path, entities) -> list[tuple[Path, str | None, str]]:
    """Every file under the landing folder that no entity loads: (path, entity name or
    None, reason), in lexical order. Nothing under the landing folder goes unaccounted."""
    landing_dir = Path(landing_dir)
    folders = {e.folder: e for e in entities}
    found = []
    for path in sorted(landing_dir.rglob("*"), key=lambda p: relative_name(p, landing_dir)):
        if not path.is_file():
            continue
        rel = relative_name(path, landing_dir)
        entity = next((e for folder, e in folders.items() if rel.startswith(folder + "/")), None)
        if entity is not None and not is_hidden(path, landing_dir / entity.folder):
            continue  # the entity's own: loaded, duplicate or quarantined
        if is_hidden(path, landing_dir):
            reason = "a hidden or temporary file (its name or folder starts with . or _)"
        else:
            reason = (
                "not in an entity folder ("
                + ", ".join(sorted(folders))
                + "); move it into the folder of its entity to load it"
            )
        found.append((path, entity.name if entity else None, reason))
    return found
