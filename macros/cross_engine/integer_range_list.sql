{#
    The list of the integers 0, 1, ..., `last` (a bigint SQL expression);
    with explode_list, one row per integer. Empty when `last` is negative.
#}
{% macro integer_range_list(last) %}
    {{ return(adapter.dispatch('integer_range_list', 'growth_enrollments')(last)) }}
{% endmacro %}

{#
    Other adapters: standard SQL has no function that builds a list of a
    range of integers.
#}
{% macro default__integer_range_list(last) %}
    {{ raise_unsupported_adapter('integer_range_list') }}
{% endmacro %}

{% macro duckdb__integer_range_list(last) %}
    range(cast(0 as bigint), cast({{ last }} as bigint) + 1)
{% endmacro %}

{% macro spark__integer_range_list(last) %}
    case
        when cast({{ last }} as bigint) >= 0 then sequence(cast(0 as bigint), cast({{ last }} as bigint))
        else cast(array() as array<bigint>)
    end
{% endmacro %}
