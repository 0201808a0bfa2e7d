"""dbt-duckdb plugin (profiles.yml, `plugins:`): registers the identifier functions of
`orchestration.identifiers` (cxw_normalize_identifier, cxw_phone_e164) on every connection
dbt opens.

The models call them only from tables (never from a view), so a reader of the warehouse
file without dbt (quality suites, tests, the benchmark) never needs them; any other
connection can have them with `orchestration.identifiers.register_functions`.
"""

from __future__ import annotations

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin

from .identifiers import register_functions


class Plugin(BasePlugin):
    """Registers the identifier functions on the connection dbt-duckdb opens."""

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        register_functions(conn)
