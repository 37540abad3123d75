-- One row per row of fct_daily_enrollments (cohort, experiment, wiki,
-- variant, UTC day: the zero-filled spine) with what the semantic layer sums:
-- the users enrolled that day, the users of all variants of the same day (the
-- denominator of a variant's share), the events of the users counted and, in
-- the page-impression cohort, the split into new and existing accounts.
-- The counts come from int_daily_variant_accounts_aggregated (the units of
-- int_enrollments_counted: the multi_variant_policy var applies).
-- With the var min_cell_size set, enrolled_users is suppressed where
-- fct_daily_enrollments suppresses new_users (same count, same rule), the
-- day's all-variant total where any of its variants is (the total minus the
-- others would give it away), the new/existing split as a pair, and the
-- events of suppressed users. The semantic layer's sums then leave the
-- suppressed cells out.
with

daily_spine as (
    select * from {{ ref('fct_daily_enrollments') }}
),

daily_unit_totals as (
    select * from {{ ref('int_daily_variant_accounts_aggregated') }}
),

filled as (
    select
        daily_spine.cohort,
        daily_spine.experiment,
        daily_spine.wiki,
        daily_spine.variant,
        daily_spine.enrollment_date,
        daily_spine.new_users_is_suppressed as is_day_suppressed,
        coalesce(daily_unit_totals.enrolled_users, cast(0 as bigint)) as enrolled_users,
        coalesce(daily_unit_totals.new_account_users, cast(0 as bigint)) as new_account_users,
        coalesce(daily_unit_totals.existing_account_users, cast(0 as bigint)) as existing_account_users,
        coalesce(daily_unit_totals.enrollment_events, cast(0 as bigint)) as enrollment_events
    from daily_spine
    left join daily_unit_totals
        on
            daily_spine.cohort = daily_unit_totals.cohort
            and daily_spine.experiment = daily_unit_totals.experiment
            and daily_spine.wiki = daily_unit_totals.wiki
            and daily_spine.variant = daily_unit_totals.variant
            and daily_spine.enrollment_date = daily_unit_totals.enrollment_date
),

day_totals as (
    select
        *,
        cast(sum(enrolled_users) over (
            partition by cohort, experiment, wiki, enrollment_date
        ) as bigint) as all_variants_enrolled_users,
        max(case when is_day_suppressed then 1 else 0 end) over (
            partition by cohort, experiment, wiki, enrollment_date
        ) = 1 as has_suppressed_variant,
        {{ is_below_min_cell_size('new_account_users') }}
        or {{ is_below_min_cell_size('existing_account_users') }} as is_account_split_small
    from filled
),

published as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        enrollment_date,
        {{ published_count('enrolled_users', also_when='is_day_suppressed') }},
        {{ published_count('all_variants_enrolled_users', also_when='has_suppressed_variant') }},
        {{ published_count(
            'new_account_users',
            also_when="cohort = 'page_impression' and (is_day_suppressed or is_account_split_small)"
        ) }},
        {{ published_count(
            'existing_account_users',
            also_when="cohort = 'page_impression' and (is_day_suppressed or is_account_split_small)"
        ) }},
        {{ published_count('enrollment_events', also_when='is_day_suppressed') }}
    from day_totals
)

select * from published
