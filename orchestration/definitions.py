"""The one Definitions object: `dagster dev` and `cxw run` both load this module."""

from __future__ import annotations

from dagster import Definitions

from .assets.clv import clv_fit
from .assets.dbt import cx_dbt_clv_marts, cx_dbt_models
from .assets.ingest import ingest_landing
from .assets.publish import publish_asset
from .assets.quality import quality_checks
from .jobs import cx_warehouse_job
from .resources import WarehouseResource, WriterLockResource, dbt_resource
from .schedules import daily_schedule
from .sensors import landing_folder_sensor

PUBLISHED_SCHEMAS = ("marts", "pii")

mart_keys = sorted(
    (
        key
        for key in (*cx_dbt_models.keys, *cx_dbt_clv_marts.keys)
        if key.path[0] in PUBLISHED_SCHEMAS
    ),
    key=lambda key: key.to_user_string(),
)

warehouse = WarehouseResource.from_environment()

defs = Definitions(
    assets=[ingest_landing, cx_dbt_models, clv_fit, cx_dbt_clv_marts, publish_asset(mart_keys)],
    asset_checks=quality_checks,
    jobs=[cx_warehouse_job],
    schedules=[daily_schedule],
    sensors=[landing_folder_sensor],
    resources={
        "warehouse": warehouse,
        "writer_lock": WriterLockResource(warehouse=warehouse),
        "dbt": dbt_resource(),
    },
)
