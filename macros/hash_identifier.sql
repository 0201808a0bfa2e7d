{#- How emails and phones appear outside the pii schema: sha256 hex of the normalised value. -#}
{% macro hash_identifier(column) -%}
    sha256({{ column }})
{%- endmacro %}
