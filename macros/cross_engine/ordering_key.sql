{#
    A struct of `order_expressions` (fields k1, k2, ...): compared, and so
    ordered by min, max and min_by, field by field, left to right on both
    engines. Order expressions must not be null (wrap nullable ones, e.g.
    with a flag).
#}
{% macro ordering_key(order_expressions) %}
    {{ return(adapter.dispatch('ordering_key', 'growth_enrollments')(order_expressions)) }}
{% endmacro %}

{#
    Other adapters: standard SQL has no row value that every engine
    compares the same way.
#}
{% macro default__ordering_key(order_expressions) %}
    {{ raise_unsupported_adapter('ordering_key') }}
{% endmacro %}

{% macro duckdb__ordering_key(order_expressions) %}
    { {%- for expression in order_expressions %}'k{{ loop.index }}': {{ expression }}{{ ', ' if not loop.last }}{% endfor -%} }
{% endmacro %}

{% macro spark__ordering_key(order_expressions) %}
    struct({%- for expression in order_expressions %}{{ expression }} as k{{ loop.index }}{{ ', ' if not loop.last }}{% endfor -%})
{% endmacro %}
