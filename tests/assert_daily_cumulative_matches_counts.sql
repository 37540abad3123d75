-- Fails for every (cohort, experiment, wiki, variant) whose last cumulative
-- value in fct_daily_enrollments differs from its enrolled_users in the count
-- mart of its cohort less its units outside the daily series' bounds
-- (int_enrollments_windowed, as fct_enrollments_outside_daily_series counts
-- them), or that is in only one of them (a variant whose units all lie
-- outside the bounds has no daily series: it must expect 0). Values
-- suppressed for sharing (var min_cell_size) are not compared.
with

daily as (
    select * from {{ ref('fct_daily_enrollments') }}
),

account_creation_counts as (
    select * from {{ ref('fct_account_creation_variant_counts') }}
),

page_impression_counts as (
    select * from {{ ref('fct_page_impression_variant_counts') }}
),

windowed_units as (
    select * from {{ ref('int_enrollments_windowed') }}
),

outside_series as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        count(*) as outside_users
    from windowed_units
    where not is_in_daily_series
    group by cohort, experiment, wiki, variant
),

last_days as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        max(enrollment_date) as last_enrollment_date
    from daily
    group by cohort, experiment, wiki, variant
),

daily_totals as (
    select
        daily.cohort,
        daily.experiment,
        daily.wiki,
        daily.variant,
        daily.cumulative_users,
        daily.cumulative_users_is_suppressed
    from daily
    inner join last_days
        on
            daily.cohort = last_days.cohort
            and daily.experiment = last_days.experiment
            and daily.wiki = last_days.wiki
            and daily.variant = last_days.variant
            and daily.enrollment_date = last_days.last_enrollment_date
),

count_totals as (
    select
        'account_creation' as cohort,
        experiment,
        wiki,
        variant,
        enrolled_users,
        enrolled_users_is_suppressed
    from account_creation_counts
    union all
    select
        'page_impression' as cohort,
        experiment,
        wiki,
        variant,
        enrolled_users,
        enrolled_users_is_suppressed
    from page_impression_counts
),

expected_totals as (
    select
        count_totals.cohort,
        count_totals.experiment,
        count_totals.wiki,
        count_totals.variant,
        count_totals.enrolled_users - coalesce(outside_series.outside_users, 0) as expected_users,
        count_totals.enrolled_users_is_suppressed
    from count_totals
    left join outside_series
        on
            count_totals.cohort = outside_series.cohort
            and count_totals.experiment = outside_series.experiment
            and count_totals.wiki = outside_series.wiki
            and count_totals.variant = outside_series.variant
)

select
    coalesce(daily_totals.cohort, expected_totals.cohort) as cohort,
    coalesce(daily_totals.experiment, expected_totals.experiment) as experiment,
    coalesce(daily_totals.wiki, expected_totals.wiki) as wiki,
    coalesce(daily_totals.variant, expected_totals.variant) as variant,
    daily_totals.cumulative_users,
    expected_totals.expected_users
from daily_totals
full outer join expected_totals
    on
        daily_totals.cohort = expected_totals.cohort
        and daily_totals.experiment = expected_totals.experiment
        and daily_totals.wiki = expected_totals.wiki
        and daily_totals.variant = expected_totals.variant
where
    expected_totals.cohort is null
    or (daily_totals.cohort is null and expected_totals.expected_users <> 0)
    or (
        daily_totals.cohort is not null
        and not daily_totals.cumulative_users_is_suppressed
        and not expected_totals.enrolled_users_is_suppressed
        and daily_totals.cumulative_users <> expected_totals.expected_users
    )
