{#
    One row per day from `start_column` to `end_column` (both inclusive,
    dates) for every row of `bounds` (a relation or CTE name): the columns of
    `bounds` plus `spine_date`. Portable: the day offsets come from a cross
    join of digit rows (no generate_series/sequence, no dbt_utils), and dates
    from dbt.dateadd/dbt.datediff. Ranges longer than `max_days` days are cut
    at `max_days` (default 100000, about 273 years).
#}
{% macro date_spine(bounds, start_column, end_column, max_days=100000) %}
    {%- set digit_count = (max_days - 1) | string | length -%}
    select
        bounds.*,
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'bounds.' ~ start_column) }} as date) as spine_date
    from {{ bounds }} as bounds
    inner join (
        select
            {% for position in range(digit_count) -%}
            {{ 'digits_' ~ position }}.digit * {{ 10 ** position }}{{ ' + ' if not loop.last }}
            {%- endfor %} as day_offset
        from
            {% for position in range(digit_count) -%}
            (
                {% for digit in range(10) -%}
                select {{ digit }} as digit{{ ' union all ' if not loop.last }}
                {%- endfor %}
            ) as {{ 'digits_' ~ position }}{{ ' cross join' if not loop.last }}
            {% endfor %}
    ) as day_offsets
        on
            day_offsets.day_offset <= {{ dbt.datediff('bounds.' ~ start_column, 'bounds.' ~ end_column, 'day') }}
            and day_offsets.day_offset < {{ max_days }}
{% endmacro %}
