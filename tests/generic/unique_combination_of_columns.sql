{#
    Fails for every combination of `combination_of_columns` that occurs on
    more than one row: the grain test of a model keyed by several columns.
    With `scope_column`, only the rows written since the last checked build
    (macro rows_to_check, which says why a key's older rows need no look).
#}
{% test unique_combination_of_columns(model, combination_of_columns, scope_column=none) %}

{%- set columns = combination_of_columns | join(', ') -%}
{%- set scope = rows_to_check(scope_column) -%}

select
    {{ columns }},
    count(*) as row_count
from {{ model }}
{% if scope %}where {{ scope }}{% endif %}
group by {{ columns }}
having count(*) > 1

{% endtest %}
