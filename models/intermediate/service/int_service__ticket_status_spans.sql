-- The status history of each ticket as spans: one row per stretch of time a ticket spent
-- in one status, from its versions. A ticket is `new` from opened_at until its first
-- version says otherwise; each version's status holds from its updated_at (a missing one
-- counts as opened_at) until the next version's, the latest until as_of. Consecutive
-- versions with the same status form one span; a version written before opened_at counts
-- from opened_at. Durations are exact (microseconds) and in calendar hours.
with ticket_versions as (
    select * from {{ ref('stg_crm__ticket_versions') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

status_changes as (
    select
        ticket_id,
        opened_at as changed_at,
        'new' as status,
        0 as change_order,
        '' as _file,
        0 as _line
    from tickets
    union all
    select
        ticket_versions.ticket_id,
        greatest(coalesce(ticket_versions.updated_at, tickets.opened_at), tickets.opened_at)
            as changed_at,
        ticket_versions.status,
        1 as change_order,
        ticket_versions._file,
        ticket_versions._line
    from ticket_versions
    inner join tickets
        on ticket_versions.ticket_id = tickets.ticket_id
),

sequenced as (
    select
        ticket_id,
        changed_at,
        status,
        lag(status) over by_time as previous_status,
        row_number() over by_time as change_number
    from status_changes
    window by_time as (
        partition by ticket_id
        order by changed_at, change_order, _file, _line
    )
),

span_starts as (
    select
        ticket_id,
        changed_at,
        status,
        change_number
    from sequenced
    where previous_status is distinct from status
),

spans as (
    select
        ticket_id,
        status,
        lag(status) over (partition by ticket_id order by change_number) as previous_status,
        changed_at as started_at,
        lead(changed_at) over (partition by ticket_id order by change_number)
            as next_started_at
    from span_starts
),

bounded as (
    select
        ticket_id,
        status,
        previous_status,
        started_at,
        coalesce(next_started_at, greatest({{ as_of() }}, started_at)) as ended_at,
        next_started_at is null as is_current
    from spans
),

final as (
    select
        ticket_id,
        status,
        previous_status,
        started_at,
        ended_at,
        is_current,
        {{ epoch_us("ended_at") }} - {{ epoch_us("started_at") }} as duration_us,
        cast({{ epoch_us("ended_at") }} - {{ epoch_us("started_at") }} as double) / 3600000000.0
            as duration_hours
    from bounded
)

select * from final
