"""Find the landing files of an entity, in the order they are loaded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class EntityFiles:
    """The files of one entity folder, each in lexical order of its path: `loadable` in one
    of the entity's formats, `unsupported` in none (quarantined whole)."""

    loadable: list[Path]
    unsupported: list[Path]

    @property
    def all(self) -> list[Path]:
        """Every file, in the order they are loaded."""
        return sorted(self.loadable + self.unsupported, key=lambda p: p.as_posix())


@dataclass(frozen=True)
class LandingListing:
    """One walk of the landing folder: each entity's files, and every file no entity loads
    (path, entity name or None, reason), in lexical order."""

    files: dict[str, EntityFiles]
    ignored: list[tuple[Path, str | None, str]]


def _split(entity: Entity, paths: list[Path]) -> EntityFiles:
    formats = tuple(f.lower() for f in entity.formats)
    accepted = [p.name.lower().endswith(formats) for p in paths]
    return EntityFiles(
        loadable=[p for p, ok in zip(paths, accepted, strict=True) if ok],
        unsupported=[p for p, ok in zip(paths, accepted, strict=True) if not ok],
    )


def entity_files(landing_dir: Path, entity: Entity) -> EntityFiles:
    """The files of the entity's folder (one listing of it). Files and folders whose name
    starts with "." or "_" (editor and upload temp files) are left out."""
    landing_dir = Path(landing_dir)
    folder = landing_dir / entity.folder
    if not folder.is_dir():
        return EntityFiles([], [])
    files = [p for p in folder.rglob("*") if p.is_file() and not is_hidden(p, folder)]
    return _split(entity, sorted(files, key=lambda p: relative_name(p, landing_dir)))


def list_landing(landing_dir: Path, entities: Iterable[Entity]) -> LandingListing:
    """Every file under the landing folder, listed once: each of `entities`' files
    (entity_files) and the files none of them loads (ignored_files)."""
    landing_dir = Path(landing_dir)
    entities = list(entities)
    folders = {e.folder: e for e in entities}
    mine: dict[str, list[Path]] = {e.name: [] for e in entities}
    ignored = []
    for path in sorted(landing_dir.rglob("*"), key=lambda p: relative_name(p, landing_dir)):
        if not path.is_file():
            continue
        rel = relative_name(path, landing_dir)
        entity = next((e for folder, e in folders.items() if rel.startswith(folder + "/")), None)
        if entity is not None and not is_hidden(path, landing_dir / entity.folder):
            mine[entity.name].append(path)  # loaded, duplicate or quarantined
            continue
        if is_hidden(path, landing_dir):
            reason = "a hidden or temporary file (its name or folder starts with . or _)"
        else:
            reason = (
                "not in an entity folder ("
                + ", ".join(sorted(folders))
                + "); move it into the folder of its entity to load it"
            )
        ignored.append((path, entity.name if entity else None, reason))
    return LandingListing({e.name: _split(e, mine[e.name]) for e in entities}, ignored)


def landing_files(landing_dir: Path, entity: Entity) -> list[Path]:
    """The entity's landing files in an accepted format, in lexical order of their path."""
    return entity_files(landing_dir, entity).loadable


def unsupported_files(landing_dir: Path, entity: Entity) -> list[Path]:
    """Files in the entity's folder that are not in one of its formats (quarantined whole)."""
    return entity_files(landing_dir, entity).unsupported


def is_hidden(path: Path, folder: Path) -> bool:
    """A hidden or temporary file: a part of its path under `folder` starts with . or _
    (.DS_Store, ~$ locks aside: editor swap files, upload temp files, Spark's _SUCCESS)."""
    return any(part.startswith((".", "_")) for part in path.relative_to(folder).parts)


def ignored_files(landing_dir: Path, entities) -> list[tuple[Path, str | None, str]]:
    """Every file under the landing folder that no entity loads: (path, entity name or
    None, reason), in lexical order. Nothing under the landing folder goes unaccounted."""
    return list_landing(landing_dir, entities).ignored
