-- The floor: what a hand-written DuckDB script costs. It reads the landing files directly
-- (run with the landing folder as the working directory), applies the landing contract's
-- row rules, de-duplication and latest-version rules, and computes the 14 all_time /
-- overall KPIs of the serving contract. No warehouse, no lineage, no quarantine table,
-- no tests: only the answer.
--
-- Simplifications against the pipeline (documented in benchmarks/README.md):
-- - customers are CRM customer_ids, not unified customers (no identity stitching), so
--   order KPIs count a person with two CRM records twice;
-- - self-service links a session to a customer only through the visitor's user_id or a
--   typed email of a CRM customer, and a ticket through customer_id or contact_email;
-- - ties on updated_at within one file are broken arbitrarily (no line numbers);
-- - CSV and JSON lines only (the formats the generator writes), naive timestamps are UTC.
-- The CSV dialect is given, not sniffed: sniffing costs ~50 ms per file, more than reading.
-- The session settings (threads, memory_limit, TimeZone = 'UTC') are set by the runner.

create or replace temp macro blank_to_null(x) as nullif(trim(x), '');

create or replace temp macro to_utc(x) as
cast(try_cast(nullif(trim(x), '') as timestamptz) as timestamp);

-- A value that is present but does not parse (the row would be quarantined).
create or replace temp macro bad_timestamp(x) as
nullif(trim(x), '') is not null and try_cast(trim(x) as timestamptz) is null;

create or replace temp macro bad_integer(x) as
nullif(trim(x), '') is not null
and coalesce(try_cast(trim(x) as bigint) < 0, true);

create or replace temp macro bad_boolean(x) as
nullif(trim(x), '') is not null
and lower(trim(x)) not in ('true', 'false', '1', '0', 'yes', 'no');

create temp table customers as
with source as (
    select *
    from
        read_csv(
            'crm/customers/*.csv',
            header = true,
            delim = ',',
            quote = '"',
            escape = '"',
            all_varchar = true,
            union_by_name = true,
            ignore_errors = true,
            filename = true
        )
),

valid as (
    select
        blank_to_null(customer_id) as customer_id,
        nullif(lower(trim(email)), '') as email,
        to_utc(created_at) as created_at,
        to_utc(updated_at) as updated_at,
        filename,
    from source
    where
        blank_to_null(customer_id) is not null
        and to_utc(created_at) is not null
        and to_utc(updated_at) is not null
        and not bad_boolean(marketing_opt_in)
)

select *
from valid
qualify
    row_number() over (
        partition by customer_id
        order by updated_at desc, filename desc
    ) = 1;

create temp table orders as
with source as (
    select *
    from
        read_csv(
            'crm/orders/*.csv',
            header = true,
            delim = ',',
            quote = '"',
            escape = '"',
            all_varchar = true,
            union_by_name = true,
            ignore_errors = true,
            filename = true
        )
),

valid as (
    select
        blank_to_null(order_id) as order_id,
        blank_to_null(customer_id) as customer_id,
        to_utc(ordered_at) as ordered_at,
        to_utc(updated_at) as updated_at,
        lower(blank_to_null(status)) as status,
        try_cast(trim(amount) as decimal(18, 6)) as amount,
        filename,
    from source
    where
        blank_to_null(order_id) is not null
        and blank_to_null(customer_id) is not null
        and blank_to_null(status) is not null
        and to_utc(ordered_at) is not null
        and not bad_timestamp(updated_at)
        and try_cast(trim(amount) as decimal(18, 6)) >= 0
        and not bad_integer(items_count)
)

select *
from valid
qualify
    row_number() over (
        partition by order_id
        order by updated_at desc nulls last, filename desc
    ) = 1;

create temp table tickets as
with source as (
    select *
    from
        read_csv(
            'crm/tickets/*.csv',
            header = true,
            delim = ',',
            quote = '"',
            escape = '"',
            all_varchar = true,
            union_by_name = true,
            ignore_errors = true,
            filename = true
        )
),

valid as (
    select
        blank_to_null(ticket_id) as ticket_id,
        blank_to_null(customer_id) as customer_id,
        nullif(lower(trim(contact_email)), '') as contact_email,
        lower(blank_to_null(status)) as status,
        to_utc(opened_at) as opened_at,
        to_utc(first_response_at) as first_response_at,
        to_utc(resolved_at) as resolved_at,
        to_utc(updated_at) as updated_at,
        try_cast(trim(agent_replies) as bigint) as agent_replies,
        try_cast(trim(reopened_count) as bigint) as reopened_count,
        filename,
    from source
    where
        blank_to_null(ticket_id) is not null
        and blank_to_null(status) is not null
        and to_utc(opened_at) is not null
        and not bad_timestamp(first_response_at)
        and not bad_timestamp(resolved_at)
        and not bad_timestamp(updated_at)
        and not bad_integer(agent_replies)
        and not bad_integer(reopened_count)
        and coalesce(to_utc(first_response_at) >= to_utc(opened_at), true)
        and coalesce(to_utc(resolved_at) >= to_utc(opened_at), true)
)

select *
from valid
qualify
    row_number() over (
        partition by ticket_id
        order by updated_at desc nulls last, filename desc
    ) = 1;

create temp table web_events as
with source as (
    select *
    from
        read_json(
            'web/events/*.jsonl*',
            format = 'newline_delimited',
            records = true,
            columns = {
                event_id: 'varchar',
                event_at: 'varchar',
                anonymous_id: 'varchar',
                user_id: 'varchar',
                email: 'varchar',
                event_type: 'varchar'
            },
            ignore_errors = true,
            filename = true
        )
),

valid as (
    select
        blank_to_null(event_id) as event_id,
        to_utc(event_at) as event_at,
        blank_to_null(anonymous_id) as anonymous_id,
        blank_to_null(user_id) as user_id,
        nullif(lower(trim(email)), '') as email,
        lower(blank_to_null(event_type)) as event_type,
        filename,
    from source
    where
        blank_to_null(event_id) is not null
        and blank_to_null(anonymous_id) is not null
        and blank_to_null(event_type) is not null
        and to_utc(event_at) is not null
)

select *
from valid
qualify row_number() over (partition by event_id order by filename) = 1;

create temp table survey_responses as
with source as (
    select *
    from
        read_csv(
            'survey/responses/*.csv',
            header = true,
            delim = ',',
            quote = '"',
            escape = '"',
            all_varchar = true,
            union_by_name = true,
            ignore_errors = true,
            filename = true
        )
),

typed as (
    select
        blank_to_null(response_id) as response_id,
        lower(blank_to_null(survey_type)) as survey_type,
        to_utc(submitted_at) as submitted_at,
        blank_to_null(score) as score_text,
        try_cast(trim(score) as integer) as score,
        filename,
    from source
),

valid as (
    select *
    from typed
    where
        response_id is not null
        and submitted_at is not null
        and survey_type in ('nps', 'csat', 'ces')
        and (
            score_text is null
            or (survey_type = 'nps' and score between 0 and 10)
            or (survey_type = 'csat' and score between 1 and 5)
            or (survey_type = 'ces' and score between 1 and 7)
        )
)

select *
from valid
qualify
    row_number() over (
        partition by response_id
        order by submitted_at, filename
    ) = 1;

-- The rows a person can be reached by: a CRM email that belongs to one customer_id only.
create temp table customer_emails as
select
    email,
    any_value(customer_id) as customer_id,
from customers
where email is not null
group by email
having count(*) = 1;

with latest_per_source as (
    select greatest(max(created_at), max(updated_at)) as latest_at from customers
    union all
    select greatest(max(ordered_at), max(updated_at)) as latest_at from orders
    union all
    select
        greatest(
            max(opened_at),
            max(first_response_at),
            max(resolved_at),
            max(updated_at)
        ) as latest_at
    from tickets
    union all
    select max(event_at) as latest_at from web_events
    union all
    select max(submitted_at) as latest_at from survey_responses
),

as_of as (
    select max(latest_at) as as_of_at,
    from latest_per_source
),

survey as (
    select
        count(*) filter (where survey_type = 'nps') as nps_answers,
        count(*) filter (where survey_type = 'nps' and score >= 9) as promoters,
        count(*) filter (where survey_type = 'nps' and score <= 6) as detractors,
        count(*) filter (where survey_type = 'csat') as csat_answers,
        count(*) filter (where survey_type = 'csat' and score >= 4) as satisfied,
        count(*) filter (where survey_type = 'ces') as ces_answers,
        sum(score) filter (where survey_type = 'ces') as ces_score_sum,
    from survey_responses
    where score is not null
),

order_customers as (
    select
        customer_id,
        count(*) filter (where status != 'cancelled') as non_cancelled_orders,
        coalesce(
            sum(amount) filter (where status not in ('cancelled', 'returned')), 0
        ) as revenue,
        max(ordered_at) filter (where status != 'cancelled') as last_non_cancelled_at,
    from orders
    group by customer_id
),

commerce as (
    select
        count(*) filter (
            where order_customers.non_cancelled_orders >= 1
        ) as buyers,
        count(*) filter (
            where order_customers.non_cancelled_orders >= 2
        ) as repeat_buyers,
        sum(order_customers.non_cancelled_orders) as non_cancelled_orders,
        count(*) as customers_with_orders,
        sum(order_customers.revenue) as revenue,
        count(*) filter (
            where order_customers.last_non_cancelled_at < as_of.as_of_at - interval 180 day
        ) as churned,
    from order_customers
    cross join as_of
),

revenue_orders as (
    select
        sum(amount) as revenue_amount,
        count(*) as revenue_orders,
    from orders
    where status not in ('cancelled', 'returned')
),

ticket_hours as (
    select
        agent_replies,
        reopened_count,
        status in ('solved', 'closed') as is_resolved,
        epoch_us(first_response_at - opened_at) / 3600000000.0 as first_response_hours,
        epoch_us(resolved_at - opened_at) / 3600000000.0 as resolution_hours,
    from tickets
),

service as (
    select
        median(first_response_hours) as first_response_hours,
        count(first_response_hours) as responded_tickets,
        median(resolution_hours) filter (where is_resolved) as resolution_hours,
        count(resolution_hours) filter (where is_resolved) as resolved_with_time,
        count(*) filter (
            where is_resolved and agent_replies = 1 and coalesce(reopened_count, 0) = 0
        ) as first_contact_resolutions,
        count(*) filter (
            where is_resolved and agent_replies is not null
        ) as resolved_with_replies,
    from ticket_hours
),

session_starts as (
    select
        anonymous_id,
        event_id,
        event_at,
        event_type,
        coalesce(
            event_at - lag(event_at) over by_visitor > interval 30 minute, true
        ) as is_session_start,
    from web_events
    window by_visitor as (partition by anonymous_id order by event_at, event_id)
),

numbered as (
    select
        *,
        count_if(is_session_start) over (
            partition by anonymous_id
            order by event_at, event_id
            rows between unbounded preceding and current row
        ) as session_number,
    from session_starts
),

sessions as (
    select
        anonymous_id,
        session_number,
        min(event_at) as started_at,
        max(event_at) as ended_at,
        bool_or(event_type = 'purchase') as has_purchase,
        bool_or(event_type = 'add_to_cart') as has_add_to_cart,
        bool_or(event_type = 'help_center_view') as has_help_center_view,
        bool_or(event_type = 'contact_form') as has_contact_form,
    from numbered
    group by anonymous_id, session_number
),

visitor_customers as (
    select
        web_events.anonymous_id,
        min(coalesce(web_events.user_id, customer_emails.customer_id)) as customer_id,
    from web_events
    left join customer_emails on web_events.email = customer_emails.email
    group by web_events.anonymous_id
),

ticket_customers as (
    select
        tickets.opened_at,
        coalesce(tickets.customer_id, customer_emails.customer_id) as customer_id,
    from tickets
    left join customer_emails on tickets.contact_email = customer_emails.email
    where coalesce(tickets.customer_id, customer_emails.customer_id) is not null
),

help_sessions as (
    select
        sessions.anonymous_id,
        sessions.session_number,
        sessions.started_at,
        sessions.ended_at,
        sessions.has_contact_form,
        visitor_customers.customer_id,
    from sessions
    left join visitor_customers on sessions.anonymous_id = visitor_customers.anonymous_id
    where sessions.has_help_center_view
),

sessions_followed_by_ticket as (
    select distinct
        help_sessions.anonymous_id,
        help_sessions.session_number,
    from help_sessions
    inner join ticket_customers
        on
            help_sessions.customer_id = ticket_customers.customer_id
            and help_sessions.started_at <= ticket_customers.opened_at
            and help_sessions.ended_at + interval 24 hour >= ticket_customers.opened_at
),

self_service as (
    select
        count(*) as help_center_sessions,
        count(*) filter (
            where
            not help_sessions.has_contact_form
            and sessions_followed_by_ticket.anonymous_id is null
        ) as self_served,
    from help_sessions
    left join sessions_followed_by_ticket
        on
            help_sessions.anonymous_id = sessions_followed_by_ticket.anonymous_id
            and help_sessions.session_number = sessions_followed_by_ticket.session_number
),

web as (
    select
        count(*) as sessions,
        count(*) filter (where has_purchase) as purchase_sessions,
        count(*) filter (where has_add_to_cart) as cart_sessions,
        count(*) filter (where has_add_to_cart and not has_purchase) as abandoned_sessions,
    from sessions
),

kpis as (
    select
        'nps' as kpi,
        100.0 * (promoters - detractors) / nps_answers as kpi_value,
        nps_answers as sample_size,
    from survey
    union all
    select
        'csat' as kpi,
        100.0 * satisfied / csat_answers as kpi_value,
        csat_answers as sample_size,
    from survey
    union all
    select
        'ces' as kpi,
        ces_score_sum / ces_answers as kpi_value,
        ces_answers as sample_size,
    from survey
    union all
    select
        'repeat_customer_rate' as kpi,
        100.0 * repeat_buyers / buyers as kpi_value,
        buyers as sample_size,
    from commerce
    union all
    select
        'purchase_frequency' as kpi,
        non_cancelled_orders / buyers as kpi_value,
        buyers as sample_size,
    from commerce
    union all
    select
        'average_order_value' as kpi,
        revenue_amount / revenue_orders as kpi_value,
        revenue_orders as sample_size,
    from revenue_orders
    union all
    select
        'customer_lifetime_value' as kpi,
        revenue / customers_with_orders as kpi_value,
        customers_with_orders as sample_size,
    from commerce
    union all
    select
        'churn_rate' as kpi,
        100.0 * churned / buyers as kpi_value,
        buyers as sample_size,
    from commerce
    union all
    select
        'conversion_rate' as kpi,
        100.0 * purchase_sessions / sessions as kpi_value,
        sessions as sample_size,
    from web
    union all
    select
        'cart_abandonment_rate' as kpi,
        100.0 * abandoned_sessions / cart_sessions as kpi_value,
        cart_sessions as sample_size,
    from web
    union all
    select
        'first_response_time_hours' as kpi,
        first_response_hours as kpi_value,
        responded_tickets as sample_size,
    from service
    union all
    select
        'resolution_time_hours' as kpi,
        resolution_hours as kpi_value,
        resolved_with_time as sample_size,
    from service
    union all
    select
        'first_contact_resolution_rate' as kpi,
        100.0 * first_contact_resolutions / resolved_with_replies as kpi_value,
        resolved_with_replies as sample_size,
    from service
    union all
    select
        'self_service_rate' as kpi,
        100.0 * self_served / help_center_sessions as kpi_value,
        help_center_sessions as sample_size,
    from self_service
)

select
    kpi,
    cast(kpi_value as double) as kpi_value,
    cast(sample_size as bigint) as sample_size,
from kpis
order by kpi;
