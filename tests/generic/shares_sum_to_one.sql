{#
    Fails for every group of `group_by_columns` whose `share_column` values
    do not add up to 1 within `tolerance`: the expected shares of the
    variants of one allocation. Null group columns form a group of their own.
#}
{% test shares_sum_to_one(model, share_column, group_by_columns, tolerance=1e-9) %}

{%- set columns = group_by_columns | join(', ') -%}

select
    {{ columns }},
    sum({{ share_column }}) as share_total
from {{ model }}
group by {{ columns }}
having abs(sum({{ share_column }}) - 1) > {{ tolerance }}

{% endtest %}
