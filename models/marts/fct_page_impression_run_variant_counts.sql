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

run_variants as (
    select * from {{ ref('int_run_variants_aggregated') }}
    where cohort = 'page_impression'
),

run_totals as (
    select
        *,
        enrollment_events as impression_events,
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
