{#-
    How emails and phones appear outside the pii schema: HMAC-SHA256 (RFC 2104) of the
    normalised value with the deployment's secret key, as lower-case hex. A plain hash of
    a phone number is reversed by hashing every number; a keyed hash is not without the
    key. A new key gives every value a new hash: after a rotation run `cxw run
    --full-refresh` (see README, Privacy). Checked against Python's hmac in tests.
-#}
{% macro hash_identifier(column) -%}
    {{ return(adapter.dispatch('hash_identifier', 'cx_warehouse')(column)) }}
{%- endmacro %}
