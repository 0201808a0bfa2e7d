-- One row per distinct identifier: the nodes of the identity graph, with the guards that
-- keep an identifier from linking people.
--   blocked: the value matches seeds/blocked_identifiers (placeholders, test addresses).
--   over the limit: an email, phone or anonymous_id seen directly with more CRM records
--     than var('max_crm_records_per_person'), or an anonymous_id that typed more emails
--     than var('max_emails_per_person'): a shared value (a store's email, a kiosk) that
--     would merge different people.
--   a CRM customer_id seen with more distinct emails than var('max_emails_per_crm_id'):
--     directly (its CRM record, tickets, answers) or typed by the web visitors that
--     logged in as it or bought its orders: a placeholder such as a shop's guest id.
-- Blocked and over-the-limit identifiers do not link (is_linkable = false). A CRM record's
-- older versions (crm_customer_history) are not counted: they no longer link.
with observations as (
    select * from {{ ref('int_identity__observations') }}
),

observed_values as (
    select
        identifier_type,
        identifier_value,
        first_observed_at,
        last_observed_at
    from observations
    union all
    select
        anchor_type,
        anchor_value,
        first_observed_at,
        last_observed_at
    from observations
),

-- computed where it is read (blocked, guarded), not kept as a materialized CTE: DuckDB holds
-- a materialized CTE in memory whole (at 3 M customers, 12 M identifiers ran a 3 GB limit
-- out of memory; computing it twice costs about 15 s at 1 M)
identifiers as {{ cte_materialization(false) }} (
    select
        identifier_type,
        identifier_value,
        min(first_observed_at) as first_seen_at,
        max(last_observed_at) as last_seen_at
    from observed_values
    group by identifier_type, identifier_value
),

blocked as (
    select *
    from (
        select
            identifier_type,
            identifier_value,
            {{ blocked_identifier_reason('identifier_type', 'identifier_value') }}
                as blocked_reason
        from identifiers
    )
    where blocked_reason is not null
),

current_observations as (
    select * from observations
    where evidence != 'crm_customer_history'
),

-- Links between two different identifiers, in both directions, unless one end is blocked.
direct_links as (
    select
        current_observations.anchor_type as identifier_type,
        current_observations.anchor_value as identifier_value,
        current_observations.identifier_type as linked_type,
        current_observations.identifier_value as linked_value
    from current_observations
    where
        current_observations.anchor_type != current_observations.identifier_type
        or current_observations.anchor_value != current_observations.identifier_value
    union
    select
        current_observations.identifier_type,
        current_observations.identifier_value,
        current_observations.anchor_type,
        current_observations.anchor_value
    from current_observations
    where
        current_observations.anchor_type != current_observations.identifier_type
        or current_observations.anchor_value != current_observations.identifier_value
),

unblocked_links as (
    select direct_links.*
    from direct_links
    anti join blocked as blocked_end
        on
            direct_links.identifier_type = blocked_end.identifier_type
            and direct_links.identifier_value = blocked_end.identifier_value
    anti join blocked as blocked_other_end
        on
            direct_links.linked_type = blocked_other_end.identifier_type
            and direct_links.linked_value = blocked_other_end.identifier_value
),

-- visitors that typed more emails than a person has (a kiosk): their emails say nothing
-- about the CRM ids logged in on them
kiosk_visitors as (
    select
        identifier_type,
        identifier_value
    from unblocked_links
    where identifier_type = 'anonymous_id' and linked_type = 'email'
    group by identifier_type, identifier_value
    having count(*) > {{ var('max_emails_per_person') }}
),

-- the emails typed by a web visitor that logged in as a CRM customer_id or bought one of
-- its orders: seen with that customer_id one step further
visitor_emails_of_crm_ids as (
    select distinct
        crm_link.linked_type as identifier_type,
        crm_link.linked_value as identifier_value,
        email_link.linked_type,
        email_link.linked_value
    from unblocked_links as crm_link
    inner join unblocked_links as email_link
        on
            crm_link.identifier_type = email_link.identifier_type
            and crm_link.identifier_value = email_link.identifier_value
    anti join kiosk_visitors
        on
            crm_link.identifier_type = kiosk_visitors.identifier_type
            and crm_link.identifier_value = kiosk_visitors.identifier_value
    where
        crm_link.identifier_type = 'anonymous_id'
        and crm_link.linked_type = 'crm_customer_id'
        and email_link.linked_type = 'email'
),

-- distinct values: unblocked_links is distinct (the union above), and the emails a CRM id
-- has directly are added to those of its visitors by a union
links_with_visitor_emails as (
    select * from unblocked_links
    union
    select * from visitor_emails_of_crm_ids
),

link_counts as (
    select
        identifier_type,
        identifier_value,
        count(*) filter (where linked_type = 'crm_customer_id') as linked_crm_records,
        count(*) filter (where linked_type = 'email') as linked_emails
    from links_with_visitor_emails
    group by identifier_type, identifier_value
),

guarded as (
    select
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.first_seen_at,
        identifiers.last_seen_at,
        blocked.blocked_reason,
        coalesce(link_counts.linked_crm_records, 0) as linked_crm_records,
        coalesce(link_counts.linked_emails, 0) as linked_emails,
        case
            when blocked.blocked_reason is not null then 'blocked'
            when
                identifiers.identifier_type != 'crm_customer_id'
                and link_counts.linked_crm_records > {{ var('max_crm_records_per_person') }}
                then 'too_many_crm_records'
            when
                identifiers.identifier_type = 'anonymous_id'
                and link_counts.linked_emails > {{ var('max_emails_per_person') }}
                then 'too_many_emails'
            when
                identifiers.identifier_type = 'crm_customer_id'
                and link_counts.linked_emails > {{ var('max_emails_per_crm_id') }}
                then 'too_many_emails'
        end as rejection_reason
    from identifiers
    left join blocked
        on
            identifiers.identifier_type = blocked.identifier_type
            and identifiers.identifier_value = blocked.identifier_value
    left join link_counts
        on
            identifiers.identifier_type = link_counts.identifier_type
            and identifiers.identifier_value = link_counts.identifier_value
),

final as (
    select
        row_number() over (order by identifier_type, identifier_value) as node_id,
        identifier_type,
        identifier_value,
        first_seen_at,
        last_seen_at,
        linked_crm_records,
        linked_emails,
        rejection_reason,
        blocked_reason,
        rejection_reason is null as is_linkable
    from guarded
)

select * from final
