{#- the text as pieces, words and what lies between them, in order: each word in `words`
    replaced, the pieces joined again -#}
{% macro spark__mask_words(text, words, replacement) -%}
    case
        when {{ words }} is null then {{ text }}
        else array_join(
            transform(
                regexp_extract_all({{ text }}, '([\\p{L}\\p{M}]+|[^\\p{L}\\p{M}]+)', 1),
                piece -> case
                    when
                        regexp_like(piece, '^\\p{Lu}')
                        and array_contains({{ words }}, lower(piece))
                        then {{ replacement }}
                    else piece
                end
            ),
            ''
        )
    end
{%- endmacro %}
