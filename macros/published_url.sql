{#-
    A URL as the marts publish it (serving contract, Personal data: no email or phone in
    `marts`): without its query string and fragment, which web analytics tools fill with
    form fields, e-mail links and click ids (`?email=...`, `#phone=...`); a path segment
    holding an @ is replaced by `[email]`, and what still looks like a phone number by
    `[phone]` (mask_contact_details).
-#}
{% macro published_url(column) -%}
    {{ mask_contact_details(
        regexp_replace_all(
            regexp_replace_all(column, "'[?#].*$'", "''"),
            "'[^/]*@[^/]*'",
            "'[email]'"
        )
    ) }}
{%- endmacro %}
