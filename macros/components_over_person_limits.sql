{#- The components of a pass of identity_components that hold more CRM records, emails or
    phones than one person may have (vars max_crm_records_per_person,
    max_emails_per_person, max_phones_per_person).

    components: a relation of (node_id, component_id), a pass's result; nodes: a relation
    of the graph's nodes with node_id and identifier_type. Returns a select of
    component_id, one row per component over a limit. -#}
{% macro components_over_person_limits(components, nodes) -%}
    select {{ components }}.component_id
    from {{ components }}
    inner join {{ nodes }}
        on {{ components }}.node_id = {{ nodes }}.node_id
    group by {{ components }}.component_id
    having
        count(*) filter (where {{ nodes }}.identifier_type = 'crm_customer_id')
        > {{ var('max_crm_records_per_person') }}
        or count(*) filter (where {{ nodes }}.identifier_type = 'email')
        > {{ var('max_emails_per_person') }}
        or count(*) filter (where {{ nodes }}.identifier_type = 'phone')
        > {{ var('max_phones_per_person') }}
{%- endmacro %}
