-- Counted units (int_enrollments_counted, multi_variant_policy) whose
-- enrollment date lies outside the bounds of their experiment and wiki's
-- daily series (int_enrollments_windowed: the allocation windows, else the
-- vars daily_series_start / daily_series_end), e.g. a timestamp of year
-- 0001 or 9999. fct_daily_enrollments leaves them out; the count marts keep
-- them. Per cohort, experiment, wiki and variant, with the bounds. Counts
-- below min_cell_size are suppressed, and so are their dates.
with

units as (
    select * from {{ ref('int_enrollments_windowed') }}
    where not is_in_daily_series
),

grouped as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        min(daily_series_start_date) as daily_series_start_date,
        max(daily_series_end_date) as daily_series_end_date,
        cast(count(*) as bigint) as enrolled_users,
        min(enrollment_date) as first_enrollment_date,
        max(enrollment_date) as last_enrollment_date
    from units
    group by cohort, experiment, wiki, variant
),

published as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        daily_series_start_date,
        daily_series_end_date,
        {{ published_count('enrolled_users') }},
        case when not {{ is_below_min_cell_size('enrolled_users') }} then first_enrollment_date end
            as first_enrollment_date,
        case when not {{ is_below_min_cell_size('enrolled_users') }} then last_enrollment_date end
            as last_enrollment_date
    from grouped
)

select * from published
