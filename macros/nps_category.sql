{#- NPS bucket of a 0-10 score: promoter (var nps_promoter_min_score = 9: 9-10), passive
    (var nps_passive_min_score = 7: 7-8), detractor (0-6); NULL without a score. -#}
{% macro nps_category(score) -%}
    case
        when {{ score }} >= {{ var('nps_promoter_min_score') }} then 'promoter'
        when {{ score }} >= {{ var('nps_passive_min_score') }} then 'passive'
        when {{ score }} >= 0 then 'detractor'
    end
{%- endmacro %}
