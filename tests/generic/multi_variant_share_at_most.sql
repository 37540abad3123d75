{#
    Returns every (cohort, experiment, wiki) of the unit model where more
    than `max_share` of the units were seen with more than one variant,
    among groups of at least `min_units` units. Counted from the units
    themselves, as fct_multi_variant_users counts them, so that the check
    sees the true counts when min_cell_size suppresses them in the mart.
#}
{% test multi_variant_share_at_most(model, max_share, min_units=0) %}

with

unit_totals as (
    select
        cohort,
        experiment,
        wiki,
        sum(case when is_multi_variant then 1 else 0 end) as multi_variant_units,
        count(*) as total_units
    from {{ model }}
    group by cohort, experiment, wiki
)

select
    *,
    cast(multi_variant_units as double) / cast(total_units as double) as multi_variant_share
from unit_totals
where
    cast(multi_variant_units as double) / cast(total_units as double) > {{ max_share }}
    and total_units >= {{ min_units }}

{% endtest %}
