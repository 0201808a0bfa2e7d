{#-
    `text` with every capitalised word (its first letter upper case) whose lower case is
    in `words` (an array of lower-case words, NULL for none) replaced by `replacement` (a
    SQL string literal); everything else, spacing and punctuation included, as written.
    A word is a run of letters and combining marks (macro text_words).
-#}
{% macro mask_words(text, words, replacement) -%}
    {{ return(adapter.dispatch('mask_words', 'cx_warehouse')(text, words, replacement)) }}
{%- endmacro %}
