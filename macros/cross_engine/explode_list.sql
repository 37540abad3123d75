{# One output row per element of a list column (used in a select list). #}
{% macro explode_list(list_expression) %}
    {{ return(adapter.dispatch('explode_list', 'growth_enrollments')(list_expression)) }}
{% endmacro %}

{#
    Other adapters: standard SQL unnests a list only in the from clause, not
    in a select list.
#}
{% macro default__explode_list(list_expression) %}
    {{ raise_unsupported_adapter('explode_list') }}
{% endmacro %}

{% macro duckdb__explode_list(list_expression) %}
    unnest({{ list_expression }})
{% endmacro %}

{% macro spark__explode_list(list_expression) %}
    explode({{ list_expression }})
{% endmacro %}
