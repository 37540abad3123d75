{{ config(severity='warn') }}
-- Warns with every (cohort, experiment, wiki) where more than
-- multi_variant_warn_share (default 1%) of the units were seen with more than
-- one variant: bucketing changed under users, or two experiments share a key.
-- Counted from the units themselves, as fct_multi_variant_users counts them,
-- so that the check sees the true counts when min_cell_size suppresses
-- them in the mart.
with

enrollments as (
    select * from {{ ref('fct_experiment_enrollments') }}
),

unit_totals as (
    select
        cohort,
        experiment,
        wiki,
        sum(case when is_multi_variant then 1 else 0 end) as multi_variant_units,
        count(*) as total_units
    from enrollments
    group by cohort, experiment, wiki
)

select
    *,
    cast(multi_variant_units as double) / cast(total_units as double) as multi_variant_share
from unit_totals
where
    cast(multi_variant_units as double) / cast(total_units as double)
    > {{ experiment_health_var('multi_variant_warn_share') }}
