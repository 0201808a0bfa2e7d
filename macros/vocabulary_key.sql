{#- The matched form of a listed-value word (landing contract: listed values are matched
    case- and whitespace-insensitively): lower case, without whitespace, control
    characters, `_` or `-` anywhere, so `Add To Cart`, `add-to-cart` and `add_to_cart` are
    one word. The loader computes the same with orchestration.vocabulary.key_sql
    (tests/test_vocabulary.py compares them). -#}
{% macro vocabulary_key(column) -%}
    lower({{ regexp_replace_all(column, "'[\\s\\p{Z}\\p{Cc}\\p{Cf}_\\-]+'", "''") }})
{%- endmacro %}
