{#- Spark's own hmac(); the key is the session variable cxw_hmac_key, which
    orchestration.spark_dbt sets from CXW_HMAC_KEY (never in compiled SQL). -#}
{% macro spark__hash_identifier(column) -%}
    lower(hex(hmac(
        case
            when coalesce(cxw_hmac_key, '') rlike '^([0-9a-fA-F]{2}){16,64}$'
                then unhex(cxw_hmac_key)
            else raise_error(
                'CXW_HMAC_KEY is not set (32-64 bytes as hex): run through cxw, which '
                || 'reads it from the environment or from its key file'
            )
        end,
        encode({{ column }}, 'UTF-8'),
        'SHA-256'
    )))
{%- endmacro %}
