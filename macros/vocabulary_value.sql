{#- The listed value a landed word is read as, from seeds/vocabulary (the one home of the
    landing contract's listed values and of the synonyms other tools write for them):
    the word is matched case- and whitespace-insensitively against the listed values and
    the synonyms of `vocabulary`; an unknown word is NULL (shown as unknown), or, in an
    open list (a `*` row, e.g. signup_channel), kept in its kept form
    (vocabulary_kept_form). The rows are
    read when the model runs and written into the SQL as one CASE. -#}
{% macro vocabulary_value(vocabulary, column) -%}
    {%- set branches = [] -%}
    {%- set other = namespace(value='null') -%}
    {%- for row in vocabulary_words() if row['vocabulary'] == vocabulary -%}
        {%- if row['word'] == '*' -%}
            {%- set other.value = "nullif(" ~ vocabulary_kept_form(column) ~ ", '')" -%}
        {%- else -%}
            {%- do branches.append(
                'when ' ~ sql_string(row['word']) ~ ' then ' ~ sql_string(row['value'])
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if branches -%}
        case {{ vocabulary_key(column) }} {{ branches | join(' ') }} else {{ other.value }} end
    {%- else -%}
        cast(null as string)
    {%- endif -%}
{%- endmacro %}
