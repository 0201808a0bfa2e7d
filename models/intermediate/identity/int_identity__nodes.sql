-- One row per distinct identifier: the nodes of the identity graph, with the guards that
-- keep an identifier from linking people.
--   blocked: the value matches seeds/blocked_identifiers (placeholders, test addresses).
--   over the limit: an email, phone or anonymous_id seen directly with more CRM records
--     than var('max_crm_records_per_person'), or an anonymous_id that typed more emails
--     than var('max_emails_per_person'): a shared value (a store's email, a kiosk) that
--     would merge different people.
-- Blocked and over-the-limit identifiers do not link (is_linkable = false).
with observations as (
    select * from {{ ref('int_identity__observations') }}
),

observed_values as (
    select
        identifier_type,
        identifier_value,
        first_observed_at,
        last_observed_at,
    from observations
    union all
    select
        anchor_type,
        anchor_value,
        first_observed_at,
        last_observed_at,
    from observations
),

identifiers as (
    select
        identifier_type,
        identifier_value,
        min(first_observed_at) as first_seen_at,
        max(last_observed_at) as last_seen_at,
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
                as blocked_reason,
        from identifiers
    )
    where blocked_reason is not null
),

-- Links between two different identifiers, in both directions, unless one end is blocked.
direct_links as (
    select
        observations.anchor_type as identifier_type,
        observations.anchor_value as identifier_value,
        observations.identifier_type as linked_type,
        observations.identifier_value as linked_value,
    from observations
    where
        observations.anchor_type != observations.identifier_type
        or observations.anchor_value != observations.identifier_value
    union
    select
        observations.identifier_type,
        observations.identifier_value,
        observations.anchor_type,
        observations.anchor_value,
    from observations
    where
        observations.anchor_type != observations.identifier_type
        or observations.anchor_value != observations.identifier_value
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

-- unblocked_links is distinct (the union above), so counting rows counts distinct values
link_counts as (
    select
        identifier_type,
        identifier_value,
        count(*) filter (where linked_type = 'crm_customer_id') as linked_crm_records,
        count(*) filter (where linked_type = 'email') as linked_emails,
    from unblocked_links
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
        end as rejection_reason,
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
        rejection_reason is null as is_linkable,
    from guarded
)

select * from final
