-- Fails for every (cohort, experiment, wiki) of at least
-- multi_variant_min_units units (default 100) where more than
-- multi_variant_error_share (default 10%) of them were seen with more than one
-- variant: the assignment itself is broken and no count can be trusted.
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
    > {{ experiment_health_var('multi_variant_error_share') }}
    and total_units >= {{ experiment_health_var('multi_variant_min_units') }}
