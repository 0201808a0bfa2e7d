{#- The rows of seeds/blocked_identifiers (identifier_type, match_type, pattern, reason).
    Unit tests give the rules with `overrides: macros: blocked_identifier_rules: [...]`. -#}
{% macro blocked_identifier_rules() -%}
    {#- ref() before anything else: parsing records the seed as a parent of the model -#}
    {{ return(seed_rows(
        ref('blocked_identifiers'),
        ['identifier_type', 'match_type', 'pattern', 'reason'],
        'identifier_type, match_type, pattern'
    )) }}
{%- endmacro %}
