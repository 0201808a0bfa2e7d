{% macro spark__register_raw_sources() -%}
    {%- if execute -%}
        {%- set raw_dir = env_var('CXW_SPARK_RAW_DIR', env_var('CXW_SPARK_DIR', 'data/spark') ~ '/raw') -%}
        {%- set tables = [] -%}
        {%- for source in graph.sources.values() if source.schema == 'raw' -%}
            {%- do tables.append(source.identifier) if source.identifier not in tables -%}
        {%- endfor -%}
        {%- do run_query('create schema if not exists raw') -%}
        {%- for table in tables -%}
            {%- do run_query('drop table if exists raw.' ~ table) -%}
            {%- do run_query(
                "create table raw." ~ table ~ " using parquet location '"
                ~ raw_dir ~ "/" ~ table ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}

{%- endmacro %}
