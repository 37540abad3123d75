{#
    The not-null test of a whole model, in one scan: fails with one row per
    column that holds a null where it must not, with the number of such rows.
    - `column_names`: columns that are never null;
    - `required_when`: {column: condition} for columns that must be set only
      where the SQL condition holds (e.g. a count that may be suppressed:
      `enrolled_users: not enrolled_users_is_suppressed`);
    - `scope_column`: only the rows written since the last checked build
      (macro rows_to_check).
#}
{% test not_null_columns(model, column_names=[], required_when={}, scope_column=none) %}

{%- set scope = rows_to_check(scope_column) -%}

{%- set checks = [] -%}
{%- for column_name in column_names -%}
    {%- do checks.append({'column': column_name, 'condition': none}) -%}
{%- endfor -%}
{%- for column_name, condition in required_when.items() -%}
    {%- do checks.append({'column': column_name, 'condition': condition}) -%}
{%- endfor -%}
{%- if checks | length == 0 -%}
    {{ exceptions.raise_compiler_error('not_null_columns on ' ~ model ~ ' names no column') }}
{%- endif -%}

with

null_counts as (
    select
        {%- for check in checks %}
        sum(
            case
                when {{ check.column }} is null{% if check.condition %} and ({{ check.condition }}){% endif %} then 1
                else 0
            end
        ) as null_rows_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    {% if scope %}where {{ scope }}{% endif %}
)

{% for check in checks -%}
select
    '{{ check.column }}' as column_name,
    '{{ (check.condition or "always") | replace("'", "''") }}' as required_when,
    null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

{% endtest %}
