{#- A left join that finds the unified customer of a source identifier: the row of
    int_identity__customer_keys with its type and (normalised) value, under `alias`
    (its customer_key is NULL when the identifier is unknown or links no one).

    identifier_type: crm_customer_id, email, phone or anonymous_id; identifier_value: SQL
    expression of the normalised value; alias: the name the joined row goes by;
    customer_keys: the relation (CTE) of int_identity__customer_keys; linked_only: join
    only identifiers that link a customer (is_linked). -#}
{% macro join_customer_key(
    identifier_type, identifier_value, alias, customer_keys='customer_keys', linked_only=false
) -%}
    left join {{ customer_keys }} as {{ alias }}
        on
            {{ alias }}.identifier_type = '{{ identifier_type }}'
            {%- if linked_only %}
            and {{ alias }}.is_linked
            {%- endif %}
            and {{ identifier_value }} = {{ alias }}.identifier_value
{%- endmacro %}
