-- One row per day: the time spine MetricFlow joins metrics to (metric_time). A fixed span
-- wide enough for any extract: 2000-01-01 up to 2040-12-31.
select cast(days.day_start as date) as date_day
from {{ day_spine("date '2000-01-01'", "date '2041-01-01'", 'day_start') }}
