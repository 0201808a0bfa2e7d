{#- the text as pieces, words and what lies between them, in order: each word in `words`
    replaced, the pieces joined again -#}
{% macro duckdb__mask_words(text, words, replacement) -%}
    case
        when {{ words }} is null then {{ text }}
        else array_to_string(
            list_transform(
                regexp_extract_all({{ text }}, '[\p{L}\p{M}]+|[^\p{L}\p{M}]+'),
                lambda piece: case
                    when
                        regexp_matches(piece, '^\p{Lu}')
                        and list_contains({{ words }}, lower(piece))
                        then {{ replacement }}
                    else piece
                end
            ),
            ''
        )
    end
{%- endmacro %}
