{#- The form an open list (a `*` row of seeds/vocabulary) keeps a word in that is neither
    listed nor a synonym: every whitespace and control character at either end removed,
    inner runs of whitespace one space, lower case. The loader computes the same with
    orchestration.vocabulary.kept_form_sql. -#}
{% macro vocabulary_kept_form(column) -%}
    lower({{ regexp_replace_all(
        regexp_replace_all(
            column, "'^[\\s\\p{Z}\\p{Cc}\\p{Cf}]+|[\\s\\p{Z}\\p{Cc}\\p{Cf}]+$'", "''"
        ),
        "'[\\s\\p{Z}]+'",
        "' '"
    ) }})
{%- endmacro %}
