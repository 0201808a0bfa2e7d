{#-
    The long rows of kpi_scorecard (kpi, grain, period_start, dimension, dimension_value,
    value, numerator, denominator, sample_size, margin_of_error_95) from `from_cte`, a
    relation with one row per slice (columns grain, period_start, dimension,
    dimension_value) in which each KPI is already computed: a reshape, no formula.
    `kpis` lists one mapping per KPI: kpi (its name in seeds/kpis.csv), value, sample_size
    (column names or expressions), optional numerator, denominator, margin_of_error_95
    (NULL when left out) and where (a further condition on the slice row). A slice gives a
    KPI's row only when its sample_size is above 0.
-#}
{% macro kpi_rows(from_cte, kpis) -%}
    {%- for kpi in kpis %}
        {%- if not loop.first %}
    union all
        {%- endif %}
    select
        '{{ kpi.kpi }}' as kpi,
        {{ kpi_slice_columns() }}
        cast({{ kpi.value }} as double) as value,
        cast({{ kpi.get('numerator', 'null') }} as double) as numerator,
        cast({{ kpi.get('denominator', 'null') }} as double) as denominator,
        cast({{ kpi.sample_size }} as bigint) as sample_size,
        cast({{ kpi.get('margin_of_error_95', 'null') }} as double) as margin_of_error_95
    from {{ from_cte }}
    where {{ kpi.sample_size }} > 0{% if kpi.get('where') %} and {{ kpi.where }}{% endif %}
    {%- endfor %}
{%- endmacro %}
