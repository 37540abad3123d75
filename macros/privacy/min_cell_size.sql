{#
    Small-cell suppression for sharing the aggregate marts (docs/governance.md,
    "Sharing safely"). The var `min_cell_size` (default 0: off) is read here
    and nowhere else.

    - is_below_min_cell_size(expression): SQL boolean, true when the count
      is below `min_cell_size` (0 included: a suppressed cell must not be
      told apart from an empty one). The constant `false` when the var is 0,
      so nothing changes and nothing costs when suppression is off.
    - published_count(column, also_when): the two published columns of a
      count: `<column>`, null when suppressed, and `<column>_is_suppressed`.
      A count is suppressed when it is below `min_cell_size`, or when the
      SQL condition `also_when` holds (secondary suppression: a count that
      would give a suppressed one away by subtraction).
#}
{% macro min_cell_size() %}
    {%- set value = var('min_cell_size', 0) -%}
    {%- if value is string and value.strip().isdigit() -%}
        {%- set value = value.strip() | int -%}
    {%- endif -%}
    {%- if value is not number or value < 0 or value != (value | int) -%}
        {{ exceptions.raise_compiler_error(
            'var min_cell_size must be a whole number >= 0 (0 turns suppression off), not ' ~ value
        ) }}
    {%- endif -%}
    {{ return(value | int) }}
{% endmacro %}

{% macro is_below_min_cell_size(expression) %}
    {%- if min_cell_size() == 0 -%}
        false
    {%- else -%}
        coalesce({{ expression }} < {{ min_cell_size() }}, false)
    {%- endif -%}
{% endmacro %}

{% macro published_count(column, also_when=none) %}
    {%- set condition -%}
        {%- if also_when is none -%}
            {{ is_below_min_cell_size(column) }}
        {%- elif min_cell_size() == 0 -%}
            false
        {%- else -%}
            ({{ is_below_min_cell_size(column) }} or coalesce({{ also_when }}, false))
        {%- endif -%}
    {%- endset -%}
    case when {{ condition }} then null else {{ column }} end as {{ column }},
    {{ condition }} as {{ column }}_is_suppressed
{% endmacro %}
