{# Number of elements of a list column (0 for an empty list). #}
{% macro list_length(list_expression) %}
    {{ return(adapter.dispatch('list_length', 'growth_enrollments')(list_expression)) }}
{% endmacro %}

{# Other adapters: the SQL standard's cardinality (0 for an empty list, null for null). #}
{% macro default__list_length(list_expression) %}
    cardinality({{ list_expression }})
{% endmacro %}

{% macro duckdb__list_length(list_expression) %}
    len({{ list_expression }})
{% endmacro %}

{# Spark's size() of a null array is -1 unless ANSI mode is on: keep null as null. #}
{% macro spark__list_length(list_expression) %}
    case when {{ list_expression }} is not null then size({{ list_expression }}) end
{% endmacro %}
