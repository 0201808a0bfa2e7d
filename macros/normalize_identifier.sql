{#- A text identifier (email, CRM customer_id, web anonymous_id / user_id) as the landing
    contract compares it: Unicode NFKC, every whitespace and control character removed at
    either end, full case folding ('Straße' and 'STRASSE' are one value); empty means NULL.
    The one place identifiers are normalised: every model that compares them calls this.

    Printable ASCII without spaces (nearly every value) needs only lower(), in SQL; any
    other value goes to cxw_normalize_identifier, a Python function (str.casefold,
    unicodedata) registered by the dbt-duckdb plugin orchestration.dbt_plugin. Call it
    only from models materialised as tables: a view would need the function to be read. -#}
{% macro normalize_identifier(column) -%}
    case
        when {{ regexp_full_match(column, "'[!-~]+'") }} then lower({{ column }})
        else cxw_normalize_identifier({{ column }})
    end
{%- endmacro %}
