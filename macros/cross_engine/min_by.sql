{#
    Aggregate: the value of `value_expression` on the row where the list of
    `order_expressions` is smallest, compared left to right. Order
    expressions must not be null (wrap nullable ones, e.g. with a flag).
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
    arg_min(
        {{ value_expression }},
        { {%- for expression in order_expressions %}'k{{ loop.index }}': {{ expression }}{{ ', ' if not loop.last }}{% endfor -%} }
    )
{% endmacro %}

{# Spark: structs compare field by field, left to right. #}
{% macro spark__min_by(value_expression, order_expressions) %}
    min_by(
        {{ value_expression }},
        struct({%- for expression in order_expressions %}{{ expression }} as k{{ loop.index }}{{ ', ' if not loop.last }}{% endfor -%})
    )
{% endmacro %}
