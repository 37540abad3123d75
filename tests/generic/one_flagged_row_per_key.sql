{#
    Fails for every value of `key_columns` that has not exactly one row
    where the boolean column `flag` is true, with its row count and how many
    are flagged: e.g. every event has exactly one copy that counts. With
    `scope_column`, only the rows written since the last checked build
    (macro rows_to_check, which says why a key's older rows need no look).
#}
{% test one_flagged_row_per_key(model, key_columns, flag, scope_column=none) %}

{%- set columns = key_columns | join(', ') -%}
{%- set scope = rows_to_check(scope_column) -%}

select
    {{ columns }},
    count(*) as row_count,
    sum(case when {{ flag }} then 1 else 0 end) as flagged_rows
from {{ model }}
{% if scope %}where {{ scope }}{% endif %}
group by {{ columns }}
having sum(case when {{ flag }} then 1 else 0 end) <> 1

{% endtest %}
