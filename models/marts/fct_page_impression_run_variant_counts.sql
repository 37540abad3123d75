-- Users enrolled in each variant at page impression, per experiment run:
-- an allocation window of the seed (experiment, wiki, valid_from, valid_to).
-- Every configured variant of every window has a row (0 when none), beside
-- its expected share; a variant users landed in that the window does not
-- list has a row with is_configured false. Units in no window are in
-- fct_enrollments_outside_allocations, never here. Counts the units of
-- int_enrollments_counted (multi_variant_policy); counts below min_cell_size
-- are suppressed, and so are the run's total and observed shares. New
-- accounts: page-impression users also enrolled at account creation in the
-- same experiment and wiki; the new/existing split is suppressed as a pair,
-- the impressions with a suppressed enrolled_users (as in
-- fct_page_impression_variant_counts).
with

units as (
    select * from {{ ref('int_enrollments_windowed') }}
    where cohort = 'page_impression' and allocation_window_key is not null
),

allocations as (
    select * from {{ ref('int_experiment_allocations_resolved') }}
),

observed as (
    select
        allocation_window_key,
        experiment,
        wiki,
        valid_from,
        valid_to,
        variant,
        cast(count(*) as bigint) as enrolled_users,
        cast(sum(case when is_new_account then 1 else 0 end) as bigint) as new_account_users,
        cast(sum(case when is_new_account then 0 else 1 end) as bigint) as existing_account_users,
        cast(sum(event_count) as bigint) as impression_events
    from units
    group by allocation_window_key, experiment, wiki, valid_from, valid_to, variant
),

configured as (
    select
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
        coalesce(observed.impression_events, cast(0 as bigint)) as impression_events
    from allocations
    left join observed
        on
            allocations.allocation_window_key = observed.allocation_window_key
            and allocations.variant = observed.variant
),

unexpected as (
    select
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
        observed.impression_events
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
            partition by allocation_window_key
        ) as bigint) as run_users,
        max(case when {{ is_below_min_cell_size('enrolled_users') }} then 1 else 0 end) over (
            partition by allocation_window_key
        ) = 1 as has_small_cell,
        {{ is_below_min_cell_size('enrolled_users') }} as is_enrolled_users_small,
        {{ is_below_min_cell_size('new_account_users') }}
        or {{ is_below_min_cell_size('existing_account_users') }} as is_account_split_small
    from run_variants
),

published as (
    select
        experiment,
        wiki,
        valid_from,
        valid_to,
        {{ experiment_run_label('experiment', 'wiki', 'valid_from', 'valid_to') }} as experiment_run,
        variant,
        is_configured,
        expected_share,
        case
            when is_configured and run_users > 0 and not has_small_cell
                then cast(enrolled_users as double) / cast(run_users as double)
        end as observed_share,
        {{ published_count('enrolled_users') }},
        {{ published_count('new_account_users', also_when='is_account_split_small') }},
        {{ published_count('existing_account_users', also_when='is_account_split_small') }},
        {{ published_count('impression_events', also_when='is_enrolled_users_small') }},
        {{ published_count('run_users', also_when='has_small_cell') }}
    from run_totals
)

select * from published
