-- Fails for every row where fct_daily_variant_metrics (what the semantic
-- layer sums) and fct_daily_enrollments disagree: a row in only one of
-- them, a different published count of the day's users, or one suppressed
-- where the other is not. Both count the units of int_enrollments_counted,
-- by two routes; this keeps them the same.
with

daily_metrics as (
    select * from {{ ref('fct_daily_variant_metrics') }}
),

daily_enrollments as (
    select * from {{ ref('fct_daily_enrollments') }}
)

select
    coalesce(daily_metrics.cohort, daily_enrollments.cohort) as cohort,
    coalesce(daily_metrics.experiment, daily_enrollments.experiment) as experiment,
    coalesce(daily_metrics.wiki, daily_enrollments.wiki) as wiki,
    coalesce(daily_metrics.variant, daily_enrollments.variant) as variant,
    coalesce(daily_metrics.enrollment_date, daily_enrollments.enrollment_date) as enrollment_date,
    daily_metrics.enrolled_users,
    daily_enrollments.new_users
from daily_metrics
full outer join daily_enrollments
    on
        daily_metrics.cohort = daily_enrollments.cohort
        and daily_metrics.experiment = daily_enrollments.experiment
        and daily_metrics.wiki = daily_enrollments.wiki
        and daily_metrics.variant = daily_enrollments.variant
        and daily_metrics.enrollment_date = daily_enrollments.enrollment_date
where
    daily_metrics.cohort is null
    or daily_enrollments.cohort is null
    or daily_metrics.enrolled_users_is_suppressed <> daily_enrollments.new_users_is_suppressed
    or daily_metrics.enrolled_users <> daily_enrollments.new_users
