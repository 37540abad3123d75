-- New and cumulative enrolled users per (cohort, experiment, wiki, variant)
-- and UTC day, on a spine from the first to the last enrollment date of the
-- experiment and wiki (any cohort), zero-filled. Counts the units of
-- int_enrollments_counted whose enrollment date lies in the daily series'
-- bounds (int_enrollments_windowed: the allocation windows, else the vars
-- daily_series_start / daily_series_end), so the spine never runs over
-- centuries; the others are in fct_enrollments_outside_daily_series. The
-- last cumulative value of a variant equals its enrolled_users in the count
-- marts less those.
-- With the var min_cell_size set, a day's new_users below it is suppressed,
-- and cumulative_users from the first day with a suppressed non-zero count
-- on (differences of the cumulative would give the day away). When the
-- suppressed non-zero days of a series add up to fewer than min_cell_size
-- users, every count of the series is suppressed: its total is published in
-- the count marts, and the published days would give their sum away. Units
-- outside the bounds count among those suppressed users when their own
-- count in fct_enrollments_outside_daily_series is suppressed (the count
-- mart minus the series would give it away).
with

windowed_units as (
    select * from {{ ref('int_enrollments_windowed') }}
),

units as (
    select * from windowed_units
    where is_in_daily_series
),

outside_series_users as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        cast(count(*) as bigint) as outside_users
    from windowed_units
    where not is_in_daily_series
    group by cohort, experiment, wiki, variant
),

date_bounds as (
    select
        experiment,
        wiki,
        min(enrollment_date) as first_enrollment_date,
        max(enrollment_date) as last_enrollment_date
    from units
    group by experiment, wiki
),

spine as (
    {{ date_spine('date_bounds', 'first_enrollment_date', 'last_enrollment_date') }}
),

variant_series as (
    select distinct
        cohort,
        experiment,
        wiki,
        variant
    from units
),

daily_new_users as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        enrollment_date,
        cast(count(*) as bigint) as new_users
    from units
    group by cohort, experiment, wiki, variant, enrollment_date
),

filled as (
    select
        variant_series.cohort,
        variant_series.experiment,
        variant_series.wiki,
        variant_series.variant,
        spine.spine_date as enrollment_date,
        coalesce(daily_new_users.new_users, cast(0 as bigint)) as new_users
    from variant_series
    inner join spine
        on
            variant_series.experiment = spine.experiment
            and variant_series.wiki = spine.wiki
    left join daily_new_users
        on
            variant_series.cohort = daily_new_users.cohort
            and variant_series.experiment = daily_new_users.experiment
            and variant_series.wiki = daily_new_users.wiki
            and variant_series.variant = daily_new_users.variant
            and spine.spine_date = daily_new_users.enrollment_date
),

cumulative as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        enrollment_date,
        new_users,
        cast(sum(new_users) over (
            partition by cohort, experiment, wiki, variant
            order by enrollment_date
            rows between unbounded preceding and current row
        ) as bigint) as cumulative_users
    from filled
),

small_days as (
    select
        *,
        ({{ is_below_min_cell_size('new_users') }} and new_users > 0) as is_small_nonzero_day
    from cumulative
),

series_small_users as (
    select
        *,
        sum(case when is_small_nonzero_day then new_users else 0 end) over (
            partition by cohort, experiment, wiki, variant
        ) as small_day_users,
        max(case when is_small_nonzero_day then 1 else 0 end) over (
            partition by cohort, experiment, wiki, variant
            order by enrollment_date
            rows between unbounded preceding and current row
        ) = 1 as has_small_day_so_far
    from small_days
),

series_hidden_users as (
    select
        series_small_users.*,
        series_small_users.small_day_users
        + case
            when {{ is_below_min_cell_size('outside_series_users.outside_users') }}
                then coalesce(outside_series_users.outside_users, 0)
            else 0
        end as hidden_users
    from series_small_users
    left join outside_series_users
        on
            series_small_users.cohort = outside_series_users.cohort
            and series_small_users.experiment = outside_series_users.experiment
            and series_small_users.wiki = outside_series_users.wiki
            and series_small_users.variant = outside_series_users.variant
),

series_marks as (
    select
        *,
        ({{ is_below_min_cell_size('hidden_users') }} and hidden_users > 0) as is_series_suppressed
    from series_hidden_users
),

published as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        enrollment_date,
        {{ published_count('new_users', also_when='is_series_suppressed') }},
        {{ published_count('cumulative_users', also_when='has_small_day_so_far or is_series_suppressed') }}
    from series_marks
)

select * from published
