{#
    Fails for every value of `key_columns` that has not exactly one row
    where the boolean column `flag` is true, with its row count and how many
    are flagged: e.g. every event has exactly one copy that counts.
#}
{% test one_flagged_row_per_key(model, key_columns, flag) %}

{%- set columns = key_columns | join(', ') -%}

select
    {{ columns }},
    count(*) as row_count,
    sum(case when {{ flag }} then 1 else 0 end) as flagged_rows
from {{ model }}
group by {{ columns }}
having sum(case when {{ flag }} then 1 else 0 end) <> 1

{% endtest %}
