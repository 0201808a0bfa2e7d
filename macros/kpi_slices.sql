{#-
    Every row of `from_cte` once per slice of kpi_scorecard it belongs to, with the slice
    columns grain, period_start, dimension and dimension_value in front:
    all_time / overall / 'all'; all_time / <dimension> / its value ('(unknown)' when NULL)
    for each column in `dimensions`; month / overall / 'all' with period_start = the first
    day of `month_column`'s month in the reporting time zone (macro reporting_month).
    Rows without a month are left out of the month slices, and so are future-dated rows
    (`future_dated_column` true: a timestamp later than the load time of its batch cannot
    be true, serving contract): their month is not known, and a month after as_of is no
    period of the report. They still count in the all_time slices.
-#}
{% macro kpi_slices(from_cte, dimensions, month_column, future_dated_column='is_future_dated') -%}
    select
        'all_time' as grain,
        cast(null as date) as period_start,
        'overall' as dimension,
        'all' as dimension_value,
        {{ from_cte }}.*
    from {{ from_cte }}
    {%- for dimension in dimensions %}
    union all
    select
        'all_time' as grain,
        cast(null as date) as period_start,
        '{{ dimension }}' as dimension,
        {{ dimension_value(dimension) }} as dimension_value,
        {{ from_cte }}.*
    from {{ from_cte }}
    {%- endfor %}
    union all
    select
        'month' as grain,
        {{ reporting_month(month_column) }} as period_start,
        'overall' as dimension,
        'all' as dimension_value,
        {{ from_cte }}.*
    from {{ from_cte }}
    where
        {{ month_column }} is not null
        and {{ future_dated_column }} is not true
{%- endmacro %}
