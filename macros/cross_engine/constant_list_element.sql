{#
    The element at `position` (0 for the first) of a list of numbers known
    when the model compiles: a literal list of `values`, indexed at run
    time. `position` must lie within the list.
#}
{% macro constant_list_element(values, position) %}
    {{ return(adapter.dispatch('constant_list_element', 'growth_enrollments')(values, position)) }}
{% endmacro %}

{# Other adapters: standard SQL has no portable list literal and index. #}
{% macro default__constant_list_element(values, position) %}
    {{ raise_unsupported_adapter('constant_list_element') }}
{% endmacro %}

{# DuckDB lists are indexed from 1 #}
{% macro duckdb__constant_list_element(values, position) %}
    list_extract(list_value({{ values | join(', ') }}), cast({{ position }} as bigint) + 1)
{% endmacro %}

{# Spark's element_at counts from 1 #}
{% macro spark__constant_list_element(values, position) %}
    element_at(array({{ values | join(', ') }}), cast({{ position }} as int) + 1)
{% endmacro %}
