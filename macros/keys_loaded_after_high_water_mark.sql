{#- The distinct `key` values of `relation` (a ref or source) with rows loaded (`_loaded_at`)
    since this model's high-water mark: the keys an incremental model rebuilds in full.
    It reads `relation` itself rather than a CTE over it, since a second reference to that
    CTE would make DuckDB materialise all of it. -#}
{% macro keys_loaded_after_high_water_mark(relation, key, high_water_mark_column='_loaded_at') -%}
    select distinct {{ key }}
    from {{ relation }}
    where {{ loaded_after_high_water_mark('_loaded_at', high_water_mark_column) }}
{%- endmacro %}
