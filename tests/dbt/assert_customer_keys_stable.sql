-- customer_key is stable across batches: an identifier may change its key only by merging
-- into a person whose key was already known before this run. Rows returned: identifiers
-- re-keyed to a key that did not exist before (a person renamed without a merge).
with history as (
    select * from {{ ref('int_identity__key_history') }}
),

customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
),

this_run as (
    select max(recorded_at) as recorded_at from history
),

keys_known_before as (
    select distinct history.customer_key
    from history
    cross join this_run
    where history.recorded_at < this_run.recorded_at
),

rekeyed as (
    select
        customer_keys.identifier_type,
        customer_keys.identifier_value,
        customer_keys.customer_key,
        history.customer_key as previous_customer_key
    from customer_keys
    inner join history
        on
            customer_keys.identifier_type = history.identifier_type
            and customer_keys.identifier_value = history.identifier_value
            and customer_keys.customer_key != history.customer_key
    cross join this_run
    where history.recorded_at < this_run.recorded_at
)

select rekeyed.*
from rekeyed
anti join keys_known_before
    on rekeyed.customer_key = keys_known_before.customer_key
