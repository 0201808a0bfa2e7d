{#- The matched form of a listed-value word (landing contract: listed values are matched
    case- and whitespace-insensitively): every whitespace and control character at either
    end removed, inner runs of whitespace one space, lower case. The loader computes the
    same with orchestration.vocabulary.key_sql (tests/test_vocabulary.py compares them). -#}
{% macro vocabulary_key(column) -%}
    lower({{ regexp_replace_all(
        regexp_replace_all(
            column, "'^[\\s\\p{Z}\\p{Cc}\\p{Cf}]+|[\\s\\p{Z}\\p{Cc}\\p{Cf}]+$'", "''"
        ),
        "'[\\s\\p{Z}]+'",
        "' '"
    ) }})
{%- endmacro %}
