"""dbt-duckdb plugin (profiles.yml, `plugins:`): prepares every connection dbt opens.

- It registers the identifier functions of `orchestration.identifiers`
  (cxw_normalize_identifier, cxw_phone_e164). The models call them only from tables (never
  from a view), so a reader of the warehouse file without dbt (quality suites, tests, the
  benchmark) never needs them; any other connection can have them with
  `orchestration.identifiers.register_functions`.
- It puts the keyed hashes' key into the session variable the models read
  (orchestration.secrets.set_key_variable), on the connection and on each cursor: DuckDB
  session variables belong to one connection.
"""

from __future__ import annotations

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin

from .identifiers import register_functions
from .secrets import set_key_variable


class Plugin(BasePlugin):
    """Registers the identifier functions and the hash key on what dbt-duckdb opens."""

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        register_functions(conn)
        set_key_variable(conn)

    def configure_cursor(self, cursor):
        set_key_variable(cursor)
        return cursor
