{#-
    A set-returning select expression: one row per word of `text` (a run of letters and
    combining marks: `Anne-Marie` is two words, `Forlì` one), in no particular order.
-#}
{% macro text_words(text) -%}
    {{ return(adapter.dispatch('text_words', 'cx_warehouse')(text)) }}
{%- endmacro %}
