{#-
    The materialization of the models that rebuild the keys loaded since their high-water
    mark (delete+insert by unique key): `incremental` where the engine supports that
    strategy (DuckDB), else `table`, a full rebuild with the same result (Spark's Parquet
    tables support only append and insert_overwrite; merge needs Delta or Iceberg, whose
    jars are not on PyPI).
-#}
{% macro incremental_materialization() -%}
    {{ return(adapter.dispatch('incremental_materialization', 'cx_warehouse')()) }}
{%- endmacro %}
