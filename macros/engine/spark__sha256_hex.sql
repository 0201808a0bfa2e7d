{% macro spark__sha256_hex(text) -%}
    sha2({{ text }}, 256)
{%- endmacro %}
