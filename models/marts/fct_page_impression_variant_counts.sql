-- Users enrolled in each variant at page impression, per experiment and wiki,
-- split into accounts also enrolled at creation (new) and the rest (existing).
-- Counts the units of int_enrollments_counted (the policies apply), read
-- through int_enrollments_windowed, which decides whether an account is new
-- (an account-creation unit of the same experiment and wiki, whatever the
-- policies: the account was created in the experiment either way).
-- Counts below the var min_cell_size are suppressed (macro published_count);
-- the new/existing split is suppressed as a pair (enrolled_users minus one
-- would give the other away), and so are the impressions of a suppressed
-- group of users.
with

counted_units as (
    select * from {{ ref('int_enrollments_windowed') }}
),

flagged as (
    select
        experiment,
        wiki,
        variant,
        event_count,
        is_new_account
    from counted_units
    where cohort = 'page_impression'
),

variant_counts as (
    select
        experiment,
        wiki,
        variant,
        cast(count(*) as bigint) as enrolled_users,
        cast(sum(case when is_new_account then 1 else 0 end) as bigint) as new_account_users,
        cast(sum(case when is_new_account then 0 else 1 end) as bigint) as existing_account_users,
        cast(sum(event_count) as bigint) as impression_events
    from flagged
    group by experiment, wiki, variant
),

small_cells as (
    select
        *,
        {{ is_below_min_cell_size('enrolled_users') }} as is_enrolled_users_small,
        {{ is_below_min_cell_size('new_account_users') }}
        or {{ is_below_min_cell_size('existing_account_users') }} as is_account_split_small
    from variant_counts
),

published as (
    select
        experiment,
        wiki,
        variant,
        {{ published_count('enrolled_users') }},
        {{ published_count('new_account_users', also_when='is_account_split_small') }},
        {{ published_count('existing_account_users', also_when='is_account_split_small') }},
        {{ published_count('impression_events', also_when='is_enrolled_users_small') }}
    from small_cells
)

select * from published
