{#- Predicate for incremental models: rows whose load time `column` lies after this model's
    high-water mark (the latest `high_water_mark_column` it holds) minus var('lookback_days').

    The mark is a load time, not a business time: a late event (old event_at, new load) is
    always picked up, and loads are serialised by the writer lock, so nothing loaded later
    can carry an earlier load time. var('lookback_days') (default 0) re-reads that many
    days of earlier loads too, e.g. after raw rows were restored with their original load
    times; models that use this rebuild each key they pick up from all of its rows, so
    re-reading is harmless, only slower. -#}
{% macro loaded_after_high_water_mark(column, high_water_mark_column='_loaded_at') -%}
    {{ column }} > (
        select
            {{ dbt.dateadd(
                'day',
                -1 * var('lookback_days'),
                'coalesce(max(' ~ high_water_mark_column ~ "), cast('1900-01-01' as timestamp))"
            ) }}
        from {{ this }}
    )
{%- endmacro %}
