{#-
    RFM segment from recency, frequency and monetary scores (1-5, 5 = best). Customers
    without a purchase (NULL scores) are prospects.
-#}
{% macro rfm_segment(recency_score, frequency_score, monetary_score) -%}
    case
        when {{ recency_score }} is null then 'prospect'
        when {{ recency_score }} >= 4 and {{ frequency_score }} >= 4 and {{ monetary_score }} >= 4
            then 'champions'
        when {{ recency_score }} >= 3 and {{ frequency_score }} >= 3 then 'loyal_customers'
        when {{ recency_score }} >= 4 then 'promising'
        when {{ recency_score }} = 3 then 'needs_attention'
        when {{ frequency_score }} >= 3 then 'at_risk'
        else 'hibernating'
    end
{%- endmacro %}
