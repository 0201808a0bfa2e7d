{#- The rows of seeds/personas, by priority. Unit tests give the rules with
    `overrides: macros: persona_rules: [...]`. -#}
{% macro persona_rules() -%}
    {{ return(seed_rows(
        ref('personas'),
        [
            'persona', 'priority', 'min_orders', 'max_orders', 'min_revenue', 'max_revenue',
            'min_days_since_last_order', 'max_days_since_last_order', 'min_tickets',
            'max_tickets', 'latest_nps_category'
        ],
        'priority'
    )) }}
{%- endmacro %}
