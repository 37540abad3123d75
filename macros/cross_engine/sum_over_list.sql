{#
    The sum of `term` over the elements of a list, as one SQL expression
    (a lambda, not a row per element): `variable` names the element in
    `term`, which may also read the row's columns. The elements are added
    first to last; an empty list gives 0.
#}
{% macro sum_over_list(list_expression, variable, term) %}
    {{ return(adapter.dispatch('sum_over_list', 'growth_enrollments')(list_expression, variable, term)) }}
{% endmacro %}

{# Other adapters: standard SQL has no lambda over a list. #}
{% macro default__sum_over_list(list_expression, variable, term) %}
    {{ raise_unsupported_adapter('sum_over_list') }}
{% endmacro %}

{% macro duckdb__sum_over_list(list_expression, variable, term) %}
    coalesce(list_sum(list_transform({{ list_expression }}, lambda {{ variable }}: cast({{ term }} as double))), 0e0)
{% endmacro %}

{% macro spark__sum_over_list(list_expression, variable, term) %}
    aggregate({{ list_expression }}, cast(0 as double), (sum_so_far, {{ variable }}) -> sum_so_far + cast({{ term }} as double))
{% endmacro %}
