"""The raw loader: landing files → DuckDB `raw` schema (landing contract).

landing_files(landing_dir, entity)        the entity's files, in load order
load_entity(con, entity, landing_dir, *, time_zone, quarantine_dir) -> [FileLoadResult]
load_landing(con, landing_dir, *, time_zones, quarantine_dir, entities, workers) -> LoadReport
"""

from .contract import ENTITIES, ENTITIES_BY_NAME, Entity
from .discovery import landing_files
from .load import FileLoadResult, LoadReport, load_entity, load_file, load_landing
from .schema import ensure_raw_schema

__all__ = [
    "ENTITIES",
    "ENTITIES_BY_NAME",
    "Entity",
    "FileLoadResult",
    "LoadReport",
    "ensure_raw_schema",
    "landing_files",
    "load_entity",
    "load_file",
    "load_landing",
]
