-- Fails for every (cohort, experiment, wiki, variant) whose last cumulative
-- value in fct_daily_enrollments differs from its enrolled_users in the count
-- mart of its cohort, or that is in only one of them. Values suppressed for
-- sharing (var min_cell_size) are not compared.
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
)

select
    coalesce(daily_totals.cohort, count_totals.cohort) as cohort,
    coalesce(daily_totals.experiment, count_totals.experiment) as experiment,
    coalesce(daily_totals.wiki, count_totals.wiki) as wiki,
    coalesce(daily_totals.variant, count_totals.variant) as variant,
    daily_totals.cumulative_users,
    count_totals.enrolled_users
from daily_totals
full outer join count_totals
    on
        daily_totals.cohort = count_totals.cohort
        and daily_totals.experiment = count_totals.experiment
        and daily_totals.wiki = count_totals.wiki
        and daily_totals.variant = count_totals.variant
where
    daily_totals.cohort is null
    or count_totals.cohort is null
    or (
        not daily_totals.cumulative_users_is_suppressed
        and not count_totals.enrolled_users_is_suppressed
        and daily_totals.cumulative_users <> count_totals.enrolled_users
    )
