{#- The rows of seeds/vocabulary (vocabulary, word in its matched form, value), for
    vocabulary_value. Unit tests give them with `overrides: macros: vocabulary_words`. -#}
{% macro vocabulary_words() -%}
    {{ return(seed_rows(
        ref('vocabulary'),
        ['vocabulary', vocabulary_key('word') ~ ' as word', 'value'],
        'vocabulary, word'
    )) }}
{%- endmacro %}
