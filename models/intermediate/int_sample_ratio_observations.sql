-- One row per (cohort, experiment, wiki, allocation window, variant): the
-- users observed in each configured variant, zero-filled, plus a row for
-- each variant users landed in that the allocation does not list. A unit
-- belongs to the window int_enrollments_windowed gives it (the one rule of
-- window membership); units in no window are left out here (the test
-- assert_every_enrollment_has_an_allocation lists them). Every cohort with
-- counted units gets a test for every window, even an empty one.
with

units as (
    select * from {{ ref('int_enrollments_windowed') }}
),

allocations as (
    select * from {{ ref('int_experiment_allocations_resolved') }}
),

cohorts as (
    select distinct cohort
    from units
),

units_in_windows as (
    select
        cohort,
        experiment,
        wiki,
        valid_from,
        valid_to,
        allocation_window_key,
        variant
    from units
    where allocation_window_key is not null
),

observed as (
    select
        cohort,
        experiment,
        wiki,
        valid_from,
        valid_to,
        allocation_window_key,
        variant,
        cast(count(*) as bigint) as observed_users
    from units_in_windows
    group by cohort, experiment, wiki, valid_from, valid_to, allocation_window_key, variant
),

configured_variants as (
    select
        cohorts.cohort,
        allocations.experiment,
        allocations.wiki,
        allocations.valid_from,
        allocations.valid_to,
        allocations.allocation_window_key,
        allocations.variant,
        allocations.expected_share
    from cohorts
    cross join allocations
),

configured_observed as (
    select
        configured_variants.cohort,
        configured_variants.experiment,
        configured_variants.wiki,
        configured_variants.valid_from,
        configured_variants.valid_to,
        configured_variants.variant,
        true as is_configured,
        configured_variants.expected_share,
        coalesce(observed.observed_users, cast(0 as bigint)) as observed_users
    from configured_variants
    left join observed
        on
            configured_variants.cohort = observed.cohort
            and configured_variants.allocation_window_key = observed.allocation_window_key
            and configured_variants.variant = observed.variant
),

unexpected_observed as (
    select
        observed.cohort,
        observed.experiment,
        observed.wiki,
        observed.valid_from,
        observed.valid_to,
        observed.variant,
        false as is_configured,
        cast(null as double) as expected_share,
        observed.observed_users
    from observed
    left join allocations
        on
            observed.allocation_window_key = allocations.allocation_window_key
            and observed.variant = allocations.variant
    where allocations.variant is null
),

observations as (
    select * from configured_observed
    union all
    select * from unexpected_observed
)

select * from observations
