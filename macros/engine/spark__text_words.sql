{% macro spark__text_words(text) -%}
    explode(regexp_extract_all({{ text }}, '([\\p{L}\\p{M}]+)', 1))
{%- endmacro %}
