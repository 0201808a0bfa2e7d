-- One row per web event: the first loaded delivery of each event_id.
with source as (
    select * from {{ source('web', 'web_events') }}
),

renamed as (
    select
        {{ nullif_blank('event_id') }} as event_id,
        event_at,
        {{ nullif_blank('anonymous_id') }} as anonymous_id,
        {{ nullif_blank('user_id') }} as user_id,
        {{ normalize_email('email') }} as email,
        lower({{ nullif_blank('event_type') }}) as event_type,
        {{ nullif_blank('page_url') }} as page_url,
        {{ nullif_blank('referrer') }} as referrer,
        lower({{ nullif_blank('utm_source') }}) as utm_source,
        lower({{ nullif_blank('utm_medium') }}) as utm_medium,
        {{ nullif_blank('utm_campaign') }} as utm_campaign,
        lower({{ nullif_blank('device_type') }}) as device_type,
        {{ nullif_blank('order_id') }} as order_id,
        properties,
        _loaded_at,
        _file,
        _line,
    from source
),

first_delivery as (
    select *
    from renamed
    qualify row_number() over (
        partition by event_id
        order by _loaded_at, _file, _line
    ) = 1
),

final as (
    select
        event_id,
        event_at,
        anonymous_id,
        user_id,
        email,
        event_type,
        page_url,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        device_type,
        order_id,
        properties,
    from first_delivery
)

select * from final
