{#
    A SQL expression that, when evaluated, fails the query with `message`
    (a SQL string expression).
#}
{% macro raise_error(message) %}
    {{ return(adapter.dispatch('raise_error', 'growth_enrollments')(message)) }}
{% endmacro %}

{# Other adapters: standard SQL has no function that raises an error. #}
{% macro default__raise_error(message) %}
    {{ raise_unsupported_adapter('raise_error') }}
{% endmacro %}

{% macro duckdb__raise_error(message) %}error({{ message }}){% endmacro %}

{% macro spark__raise_error(message) %}raise_error({{ message }}){% endmacro %}
