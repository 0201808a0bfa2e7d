{#- The reason an identifier is blocked (the smallest reason among the rules of
    seeds/blocked_identifiers it matches), NULL when it matches none.

    The rules are read when the model runs and written into the SQL as constants: DuckDB
    compiles a regular expression once when the pattern is a constant, but once per row
    when it comes from a joined column (4 M identifiers: 26 s against 0.2 s). -#}
{% macro blocked_identifier_reason(identifier_type, identifier_value) -%}
    {%- set reasons = [] -%}
    {%- for rule in blocked_identifier_rules() -%}
        {%- if rule['match_type'] == 'exact' -%}
            {%- set matches = identifier_value ~ ' = ' ~ sql_string(rule['pattern']) -%}
        {%- elif rule['match_type'] == 'regex' -%}
            {%- set matches = regexp_contains(identifier_value, sql_string(rule['pattern'])) -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error(
                "seeds/blocked_identifiers: match_type must be 'exact' or 'regex', not '"
                ~ rule['match_type'] ~ "' (pattern " ~ rule['pattern'] ~ ")"
            ) }}
        {%- endif -%}
        {%- do reasons.append(
            'case when ' ~ identifier_type ~ ' = ' ~ sql_string(rule['identifier_type'])
            ~ ' and ' ~ matches ~ ' then ' ~ sql_string(rule['reason']) ~ ' end'
        ) -%}
    {%- endfor -%}
    {%- if reasons | length == 0 -%}
        cast(null as string)
    {%- elif reasons | length == 1 -%}
        {{ reasons[0] }}
    {%- else -%}
        least({{ reasons | join(', ') }})
    {%- endif -%}
{%- endmacro %}
