{#- Fails for every row whose `column_name` is below `minimum` (NULL passes). -#}
{% test at_least(model, column_name, minimum) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} < {{ minimum }}
{% endtest %}
