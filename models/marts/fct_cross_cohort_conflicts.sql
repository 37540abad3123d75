-- Conflicts between a user's two cohorts, per (experiment, wiki,
-- conflict_type), for every experiment and wiki with users enrolled in both
-- (int_cross_cohort_users_compared, any multi_variant_policy):
-- `variant_differs` (the page-impression variant is not the account-creation
-- variant) and `impression_before_creation` (the first page impression is
-- earlier than the account's creation). 0 when none: the check ran.
-- With the var min_cell_size set, a count below it is suppressed, and the
-- share with it; users_in_both_cohorts is also suppressed when the
-- new/existing split of a variant of the same experiment and wiki is
-- suppressed in fct_page_impression_variant_counts (the users in both
-- cohorts are its new accounts: minus the other variants' they would give
-- the suppressed one away).
with

users as (
    select * from {{ ref('int_cross_cohort_users_compared') }}
),

page_impression_counts as (
    select * from {{ ref('fct_page_impression_variant_counts') }}
),

suppressed_splits as (
    select
        experiment,
        wiki,
        max(case when new_account_users_is_suppressed then 1 else 0 end) = 1 as has_suppressed_split
    from page_impression_counts
    group by experiment, wiki
),

per_wiki as (
    select
        experiment,
        wiki,
        cast(count(*) as bigint) as users_in_both_cohorts,
        cast(sum(case when is_variant_conflict then 1 else 0 end) as bigint) as variant_conflicts,
        cast(sum(case when is_impression_before_creation then 1 else 0 end) as bigint) as impressions_before_creation
    from users
    group by experiment, wiki
),

per_conflict as (
    select
        experiment,
        wiki,
        'variant_differs' as conflict_type,
        users_in_both_cohorts,
        variant_conflicts as conflicting_users
    from per_wiki
    union all
    select
        experiment,
        wiki,
        'impression_before_creation' as conflict_type,
        users_in_both_cohorts,
        impressions_before_creation as conflicting_users
    from per_wiki
),

flagged as (
    select
        per_conflict.*,
        coalesce(suppressed_splits.has_suppressed_split, false) as has_suppressed_split
    from per_conflict
    left join suppressed_splits
        on
            per_conflict.experiment = suppressed_splits.experiment
            and per_conflict.wiki = suppressed_splits.wiki
),

published as (
    select
        experiment,
        wiki,
        conflict_type,
        {{ published_count('users_in_both_cohorts', also_when='has_suppressed_split') }},
        {{ published_count('conflicting_users') }}
    from flagged
),

with_share as (
    select
        *,
        case
            when not users_in_both_cohorts_is_suppressed and not conflicting_users_is_suppressed
                then cast(conflicting_users as double) / users_in_both_cohorts
        end as conflicting_share
    from published
)

select * from with_share
