-- One row per (cohort, experiment run, variant): the counted units of each
-- cohort in each allocation window (int_enrollments_windowed), for every
-- configured variant of the window (0 when none) and for each variant users
-- landed in that the window does not list (is_configured false), with the
-- run's users over its configured variants. Both cohorts get every window,
-- whether or not they have units. The experiment-run count marts read it and
-- suppress small counts.
with

units as (
    select * from {{ ref('int_enrollments_windowed') }}
    where allocation_window_key is not null
),

allocations as (
    select * from {{ ref('int_experiment_allocations_resolved') }}
),

cohorts as (
    select 'account_creation' as cohort
    union all
    select 'page_impression' as cohort
),

observed as (
    select
        cohort,
        allocation_window_key,
        experiment,
        wiki,
        valid_from,
        valid_to,
        variant,
        cast(count(*) as bigint) as enrolled_users,
        cast(sum(case when cohort = 'page_impression' and is_new_account then 1 else 0 end) as bigint)
            as new_account_users,
        cast(sum(case when cohort = 'page_impression' and not is_new_account then 1 else 0 end) as bigint)
            as existing_account_users,
        cast(sum(event_count) as bigint) as enrollment_events
    from units
    group by cohort, allocation_window_key, experiment, wiki, valid_from, valid_to, variant
),

configured as (
    select
        cohorts.cohort,
        allocations.experiment,
        allocations.wiki,
        allocations.valid_from,
        allocations.valid_to,
        allocations.allocation_window_key,
        allocations.variant,
        true as is_configured,
        allocations.expected_share,
        coalesce(observed.enrolled_users, cast(0 as bigint)) as enrolled_users,
        coalesce(observed.new_account_users, cast(0 as bigint)) as new_account_users,
        coalesce(observed.existing_account_users, cast(0 as bigint)) as existing_account_users,
        coalesce(observed.enrollment_events, cast(0 as bigint)) as enrollment_events
    from allocations
    cross join cohorts
    left join observed
        on
            cohorts.cohort = observed.cohort
            and allocations.allocation_window_key = observed.allocation_window_key
            and allocations.variant = observed.variant
),

unexpected as (
    select
        observed.cohort,
        observed.experiment,
        observed.wiki,
        observed.valid_from,
        observed.valid_to,
        observed.allocation_window_key,
        observed.variant,
        false as is_configured,
        cast(null as double) as expected_share,
        observed.enrolled_users,
        observed.new_account_users,
        observed.existing_account_users,
        observed.enrollment_events
    from observed
    left join allocations
        on
            observed.allocation_window_key = allocations.allocation_window_key
            and observed.variant = allocations.variant
    where allocations.variant is null
),

run_variants as (
    select * from configured
    union all
    select * from unexpected
),

run_totals as (
    select
        *,
        cast(sum(case when is_configured then enrolled_users else 0 end) over (
            partition by cohort, allocation_window_key
        ) as bigint) as run_users
    from run_variants
)

select * from run_totals
