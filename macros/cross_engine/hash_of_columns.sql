{#
    A 64-bit hash of several expressions taken together, nulls included:
    cheap to group by, for finding the few candidates that an exact check
    then reads. Never an identity: two different values may share a hash.
#}
{% macro hash_of_columns(expressions) %}
    {{ return(adapter.dispatch('hash_of_columns', 'growth_enrollments')(expressions)) }}
{% endmacro %}

{# Other adapters: standard SQL has no hash function. #}
{% macro default__hash_of_columns(expressions) %}
    {{ raise_unsupported_adapter('hash_of_columns') }}
{% endmacro %}

{% macro duckdb__hash_of_columns(expressions) %}
    hash({{ expressions | join(', ') }})
{% endmacro %}

{% macro spark__hash_of_columns(expressions) %}
    xxhash64({{ expressions | join(', ') }})
{% endmacro %}
