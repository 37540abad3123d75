{#
    Written after `name as` in a CTE that later CTEs read more than once, to
    have each reader scan its source again instead of the CTE being stored
    in memory first. DuckDB stores such a CTE by default: for a wide one
    over millions of rows, slower than rereading a table and enough to spill.
    Spark always inlines CTEs.
#}
{% macro inline_cte() %}
    {{ return(adapter.dispatch('inline_cte', 'growth_enrollments')()) }}
{% endmacro %}

{% macro duckdb__inline_cte() %}not materialized{% endmacro %}

{# Other adapters (Spark among them): nothing, the engine decides. #}
{% macro default__inline_cte() %}{% endmacro %}
