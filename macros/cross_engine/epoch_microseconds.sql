{# Microseconds since 1970-01-01 00:00:00 of a timestamp, as a bigint. #}
{% macro epoch_microseconds(timestamp) %}
    {{ return(adapter.dispatch('epoch_microseconds', 'growth_enrollments')(timestamp)) }}
{% endmacro %}

{# Other adapters: standard SQL has no function that gives a timestamp's epoch. #}
{% macro default__epoch_microseconds(timestamp) %}
    {{ raise_unsupported_adapter('epoch_microseconds') }}
{% endmacro %}

{% macro duckdb__epoch_microseconds(timestamp) %}epoch_us({{ timestamp }}){% endmacro %}

{% macro spark__epoch_microseconds(timestamp) %}unix_micros({{ timestamp }}){% endmacro %}
