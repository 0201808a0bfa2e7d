{% macro duckdb__hash_identifier(column) -%}
    sha256(
        from_hex({{ hmac_pad(92) }})
        || from_hex(sha256(from_hex({{ hmac_pad(54) }}) || encode({{ column }})))
    )
{%- endmacro %}
