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
    """The data files of one entity folder, each in lexical order of its path: `loadable`
    in one of the entity's formats, `unsupported` in a landing format the entity does not
    take (e.g. a .csv among web events: quarantined whole). A file in no landing format
    (README.txt, notes.md, an .xlsx) is no extract: ignored (see list_landing)."""

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
    """The data files of the entity's folder (one listing of it). Files and folders whose
    name starts with "." or "_" (editor and upload temp files) and files in no landing
    format (unknown_extension_reason) are left out: the load log has them as ignored."""
    landing_dir = Path(landing_dir)
    folder = landing_dir / entity.folder
    if not folder.is_dir():
        return EntityFiles([], [])
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file() and not is_hidden(p, folder) and file_format(p) is not None
    ]
    return _split(entity, sorted(files, key=lambda p: relative_name(p, landing_dir)))


def unknown_extension_reason(path: Path, entity: Entity) -> str:
    """Why a file in an entity folder that is in no landing format is ignored, and what
    to do to load it (landing contract: ignored with the reason, an unknown extension)."""
    suffix = path.suffix
    formats = ", ".join("." + f.lstrip(".") for f in entity.formats)
    return (
        f"an unknown extension ({suffix or 'none'}): no data file of the landing contract "
        f"({', '.join(KNOWN_SUFFIXES)}); save the extract as {formats} in {entity.folder} "
        "to load it"
    )


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
        hidden = is_hidden(path, landing_dir)
        if entity is not None and not hidden and file_format(path) is not None:
            mine[entity.name].append(path)  # loaded, duplicate or quarantined
            continue
        if hidden:
            reason = "a hidden or temporary file (its name or folder starts with . or _)"
        elif entity is not None:
            reason = unknown_extension_reason(path, entity)
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
    """Files in the entity's folder in a landing format it does not take (quarantined
    whole)."""
    return entity_files(landing_dir, entity).unsupported


def is_hidden(path: Path, folder: Path) -> bool:
    """A hidden or temporary file: a part of its path under `folder` starts with . or _
    (.DS_Store, ~$ locks aside: editor swap files, upload temp files, Spark's _SUCCESS)."""
    return any(part.startswith((".", "_")) for part in path.relative_to(folder).parts)


def ignored_files(landing_dir: Path, entities) -> list[tuple[Path, str | None, str]]:
    """Every file under the landing folder that no entity loads: (path, entity name or
    None, reason), in lexical order. Nothing under the landing folder goes unaccounted."""
    return list_landing(landing_dir, entities).ignored
