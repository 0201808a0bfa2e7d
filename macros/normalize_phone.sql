{#- A phone number as E.164 ('+' then country code and national number), NULL when it is
    missing or not a valid number: libphonenumber's rules (Python `phonenumbers`, through
    cxw_phone_e164 registered by the dbt-duckdb plugin orchestration.dbt_plugin), so a
    trunk prefix is dropped ('+44 (0)20 7946 0321' = '+44 20 7946 0321') and a number
    without an international prefix is read in var('default_phone_region') (a region
    code such as IT, or a country calling code such as 39). Call it only from models
    materialised as tables: a view would need the function to be read. -#}
{% macro normalize_phone(column, default_region=none) -%}
    {%- set region = default_region if default_region is not none
        else var('default_phone_region') -%}
    cxw_phone_e164({{ column }}, {{ sql_string(region | string) }})
{%- endmacro %}
