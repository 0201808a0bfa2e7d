{#-
    Free text with what looks like an email address replaced by `[email]` and what looks
    like a phone number (7 or more digits, with spaces, dots, dashes, parentheses or a
    leading +) by `[phone]`, for publishing comments (serving contract, Personal data).
    Long order or ticket numbers are masked too: the rule errs on the side of privacy.
-#}
{% macro mask_contact_details(column) -%}
    {{ regexp_replace_all(
        regexp_replace_all(
            column,
            "'[^\\s@<>(),;:\"\\[\\]]+@[^\\s@<>(),;:\"\\[\\]]+\\.[^\\s@<>(),;:\"\\[\\]]+'",
            "'[email]'"
        ),
        "'\\+?\\d(?:[\\s().\\-]*\\d){6,}'",
        "'[phone]'"
    ) }}
{%- endmacro %}
