-- Counted units (int_enrollments_counted, multi_variant_policy) that no
-- allocation window covers, apart from the experiment-run counts: per
-- cohort, experiment, wiki, variant and reason (`no_allocation`: the
-- experiment and wiki have no allocation; `outside_allocation_windows`: they
-- have one, but not on the unit's enrollment date). Counts below
-- min_cell_size are suppressed, and so are their dates.
with

units as (
    select * from {{ ref('int_enrollments_windowed') }}
    where outside_reason is not null
),

grouped as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        outside_reason,
        cast(count(*) as bigint) as enrolled_users,
        min(enrollment_date) as first_enrollment_date,
        max(enrollment_date) as last_enrollment_date
    from units
    group by cohort, experiment, wiki, variant, outside_reason
),

published as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        outside_reason,
        {{ published_count('enrolled_users') }},
        case when not {{ is_below_min_cell_size('enrolled_users') }} then first_enrollment_date end
            as first_enrollment_date,
        case when not {{ is_below_min_cell_size('enrolled_users') }} then last_enrollment_date end
            as last_enrollment_date
    from grouped
)

select * from published
