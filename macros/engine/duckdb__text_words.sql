{% macro duckdb__text_words(text) -%}
    unnest(regexp_extract_all({{ text }}, '[\p{L}\p{M}]+'))
{%- endmacro %}
