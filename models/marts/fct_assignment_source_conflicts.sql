-- Conflicts within the assignment an event carries, per (cohort,
-- experiment, wiki, conflict_type), for every cohort, experiment and wiki
-- with enrolled units (int_enrollments_first_per_user, whatever the
-- policies say: this model describes the data, not the counts):
-- `singular_variant_differs` (an event's singular `experiment` object names
-- another variant than its `experiments.assigned` map, whose variant
-- counts) and `forced_assignment` (an override forced the variant,
-- coordinator `forced`; the var forced_assignment_policy says whether the
-- counts keep such units). 0 when none: the check ran.
-- With the var min_cell_size set, a count below it is suppressed, and the
-- share with it; enrolled_users is also suppressed when a variant count of
-- the same cohort, experiment and wiki is suppressed in the count marts
-- (the total minus the other variants would give it away).
with

units as (
    select * from {{ ref('int_enrollments_first_per_user') }}
),

account_creation_counts as (
    select * from {{ ref('fct_account_creation_variant_counts') }}
),

page_impression_counts as (
    select * from {{ ref('fct_page_impression_variant_counts') }}
),

suppressed_variants as (
    select
        'account_creation' as cohort,
        experiment,
        wiki
    from account_creation_counts
    where enrolled_users_is_suppressed
    union all
    select
        'page_impression' as cohort,
        experiment,
        wiki
    from page_impression_counts
    where enrolled_users_is_suppressed
),

suppressed_groups as (
    select distinct
        cohort,
        experiment,
        wiki,
        true as has_suppressed_variant
    from suppressed_variants
),

per_wiki as (
    select
        cohort,
        experiment,
        wiki,
        cast(count(*) as bigint) as enrolled_users,
        cast(sum(case when has_singular_variant_conflict then 1 else 0 end) as bigint) as singular_conflicts,
        cast(sum(case when has_forced_assignment then 1 else 0 end) as bigint) as forced_assignments
    from units
    group by cohort, experiment, wiki
),

per_conflict as (
    select
        cohort,
        experiment,
        wiki,
        'singular_variant_differs' as conflict_type,
        enrolled_users,
        singular_conflicts as conflicting_users
    from per_wiki
    union all
    select
        cohort,
        experiment,
        wiki,
        'forced_assignment' as conflict_type,
        enrolled_users,
        forced_assignments as conflicting_users
    from per_wiki
),

flagged as (
    select
        per_conflict.*,
        coalesce(suppressed_groups.has_suppressed_variant, false) as has_suppressed_variant
    from per_conflict
    left join suppressed_groups
        on
            per_conflict.cohort = suppressed_groups.cohort
            and per_conflict.experiment = suppressed_groups.experiment
            and per_conflict.wiki = suppressed_groups.wiki
),

published as (
    select
        cohort,
        experiment,
        wiki,
        conflict_type,
        {{ published_count('enrolled_users', also_when='has_suppressed_variant') }},
        {{ published_count('conflicting_users') }}
    from flagged
),

with_share as (
    select
        *,
        case
            when not enrolled_users_is_suppressed and not conflicting_users_is_suppressed
                then cast(conflicting_users as double) / enrolled_users
        end as conflicting_share
    from published
)

select * from with_share
