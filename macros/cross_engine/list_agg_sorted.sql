{#
    Aggregate: the group's values as a list in ascending order, so that the
    list is the same on every engine and every run.
#}
{% macro list_agg_sorted(measure) %}
    {{ return(adapter.dispatch('list_agg_sorted', 'growth_enrollments')(measure)) }}
{% endmacro %}

{# Other adapters: standard SQL has no ordered list aggregate. #}
{% macro default__list_agg_sorted(measure) %}
    {{ raise_unsupported_adapter('list_agg_sorted') }}
{% endmacro %}

{% macro duckdb__list_agg_sorted(measure) %}
    list_sort(list({{ measure }}))
{% endmacro %}

{% macro spark__list_agg_sorted(measure) %}
    array_sort(collect_list({{ measure }}))
{% endmacro %}
