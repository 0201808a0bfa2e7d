{#-
    SHA-256 of the UTF-8 bytes of `text` as 64 lower-case hex digits.
-#}
{% macro sha256_hex(text) -%}
    {{ return(adapter.dispatch('sha256_hex', 'cx_warehouse')(text)) }}
{%- endmacro %}
