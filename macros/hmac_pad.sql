{#-
    One of HMAC-SHA256's two padded keys (RFC 2104) as a hex string: the deployment's key
    (environment variable CXW_HMAC_KEY, hex, which the dbt-duckdb plugin puts into the
    session variable cxw_hmac_key, read with getvariable when the query runs, so the key
    never appears in compiled SQL), zero-padded to the 64-byte block, each byte
    XOR `pad_byte` (54 = 0x36 for the inner key, 92 = 0x5c for the outer one). A missing or
    malformed key stops the query with an error.
-#}
{% macro hmac_pad(pad_byte) -%}
    (
        select
            string_agg(
                printf(
                    '%02x',
                    xor(cast(('0x' || substr(padded_key.key_hex, 2 * t.i + 1, 2)) as integer), {{ pad_byte }})
                ),
                '' order by t.i
            )
        from (
            select
                case
                    when regexp_full_match(
                            coalesce(getvariable('cxw_hmac_key'), ''), '([0-9a-fA-F]{2}){16,64}'
                        )
                        then rpad(getvariable('cxw_hmac_key'), 128, '0')
                    else error(
                        'CXW_HMAC_KEY is not set (32-64 bytes as hex): run through cxw, which '
                        || 'reads it from the environment or from its key file'
                    )
                end as key_hex
        ) as padded_key, range(64) as t (i)
    )
{%- endmacro %}
