{#
    Aggregate: the value of `value_expression` on the row where the list of
    `order_expressions` is smallest, compared left to right (macro
    ordering_key). Order expressions must not be null (wrap nullable ones,
    e.g. with a flag).
#}
{% macro min_by(value_expression, order_expressions) %}
    {{ return(adapter.dispatch('min_by', 'growth_enrollments')(value_expression, order_expressions)) }}
{% endmacro %}

{#
    Other adapters: standard SQL has no aggregate that returns a value at
    the smallest key.
#}
{% macro default__min_by(value_expression, order_expressions) %}
    {{ raise_unsupported_adapter('min_by') }}
{% endmacro %}

{% macro duckdb__min_by(value_expression, order_expressions) %}
    arg_min({{ value_expression }}, {{ ordering_key(order_expressions) }})
{% endmacro %}

{% macro spark__min_by(value_expression, order_expressions) %}
    min_by({{ value_expression }}, {{ ordering_key(order_expressions) }})
{% endmacro %}
