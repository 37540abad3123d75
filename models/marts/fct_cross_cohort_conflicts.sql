-- Conflicts between a user's two cohorts, per (experiment, wiki,
-- conflict_type), for every experiment and wiki with users enrolled in both
-- (int_cross_cohort_users_compared, any multi_variant_policy):
-- `variant_differs` (the page-impression variant is not the account-creation
-- variant) and `impression_before_creation` (the first page impression is
-- earlier than the account's creation). 0 when none: the check ran.
-- With the var min_cell_size set, a count below it is suppressed, and the
-- share with it.
with

users as (
    select * from {{ ref('int_cross_cohort_users_compared') }}
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

published as (
    select
        experiment,
        wiki,
        conflict_type,
        {{ published_count('users_in_both_cohorts') }},
        {{ published_count('conflicting_users') }},
        case
            when
                not {{ is_below_min_cell_size('users_in_both_cohorts') }}
                and not {{ is_below_min_cell_size('conflicting_users') }}
                then cast(conflicting_users as double) / users_in_both_cohorts
        end as conflicting_share
    from per_conflict
)

select * from published
