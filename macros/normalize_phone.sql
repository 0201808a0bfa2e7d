{#- A phone number as E.164: '+' then digits with the country code.
    '+39 333 ...' and '0039 333 ...' keep their country code; a number without an
    international prefix gets var('default_phone_country_code'). Formatting (spaces,
    dashes, dots, brackets) is dropped; a value without digits is NULL. -#}
{% macro normalize_phone(column, default_country_code=none) -%}
    {%- set country_code = default_country_code
        if default_country_code is not none
        else var('default_phone_country_code') -%}
    case
        when regexp_replace(coalesce({{ column }}, ''), '[^0-9]', '', 'g') = '' then null
        when ltrim({{ column }}) like '+%'
            then '+' || regexp_replace({{ column }}, '[^0-9]', '', 'g')
        when regexp_matches(regexp_replace({{ column }}, '[^0-9]', '', 'g'), '^00[1-9]')
            then '+' || substr(regexp_replace({{ column }}, '[^0-9]', '', 'g'), 3)
        else '+' || '{{ country_code }}' || regexp_replace({{ column }}, '[^0-9]', '', 'g')
    end
{%- endmacro %}
