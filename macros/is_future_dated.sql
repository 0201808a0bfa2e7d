{#-
    Whether a row carries a timestamp that cannot be true: the latest of
    `timestamp_columns` lies more than var('future_tolerance_minutes') after the load time
    of the row's batch (`loaded_at_column`, the loader's _loaded_at). Never NULL (missing
    timestamps are ignored; a row without any is not future-dated). Serving contract: such
    a row is kept and flagged, and counts neither for as_of nor for measures relative to
    as_of (churn, recency, days since the last order).
-#}
{% macro is_future_dated(timestamp_columns, loaded_at_column='_loaded_at') -%}
    coalesce(
        {%- if timestamp_columns | length == 1 %}
        {{ timestamp_columns[0] }}
        {%- else %}
        greatest({{ timestamp_columns | join(', ') }})
        {%- endif %}
        > {{ dbt.dateadd('minute', var('future_tolerance_minutes'), loaded_at_column) }},
        false
    )
{%- endmacro %}
