{#- The rows of a seed, for macros that write business rules into a model's SQL as
    constants: `columns` in the order of `order_by`, each row readable by column name
    (agate rows, read as a unit test's override dicts are read). None while dbt parses,
    or compiles without the seed built (sqlfluff lints that way); fails a run or build
    when the seed is missing. Call it with ref('the_seed') written in the calling macro:
    parsing then records the seed as a parent of the model. -#}
{% macro seed_rows(seed, columns, order_by) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if adapter.get_relation(seed.database, seed.schema, seed.identifier) is none -%}
        {%- if flags.WHICH in ('run', 'build') -%}
            {{ exceptions.raise_compiler_error(
                "the seed " ~ seed ~ " is not built: run `dbt seed` (or `dbt build`) first"
            ) }}
        {%- endif -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(run_query(
        'select ' ~ columns | join(', ') ~ ' from ' ~ seed ~ ' order by ' ~ order_by
    ).rows) }}
{%- endmacro %}
