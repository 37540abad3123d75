{#
    Aggregate: the group's values joined by `delimiter` (a SQL string
    literal), in ascending order, so that the text is the same on every
    engine and every run (dbt.listagg ignores the order on Spark).
#}
{% macro string_agg_sorted(measure, delimiter) %}
    {{ return(adapter.dispatch('string_agg_sorted', 'growth_enrollments')(measure, delimiter)) }}
{% endmacro %}

{# Other adapters: the SQL standard's ordered listagg. #}
{% macro default__string_agg_sorted(measure, delimiter) %}
    listagg({{ measure }}, {{ delimiter }}) within group (order by {{ measure }})
{% endmacro %}

{% macro duckdb__string_agg_sorted(measure, delimiter) %}
    string_agg({{ measure }}, {{ delimiter }} order by {{ measure }})
{% endmacro %}

{% macro spark__string_agg_sorted(measure, delimiter) %}
    array_join(array_sort(collect_list({{ measure }})), {{ delimiter }})
{% endmacro %}
