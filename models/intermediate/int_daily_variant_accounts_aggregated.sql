-- Per (cohort, experiment, wiki, variant, UTC enrollment date): the counted
-- units (int_enrollments_counted, so the multi_variant_policy var applies),
-- their distinct events and, in the page-impression cohort, how many are
-- new accounts (also enrolled at account creation in the same experiment and
-- wiki, looked up in every account-creation unit as in
-- fct_page_impression_variant_counts) and how many existing ones. Days
-- without units have no row; fct_daily_variant_metrics puts them on the spine.
with

counted_units as (
    select * from {{ ref('int_enrollments_counted') }}
),

enrollments as (
    select * from {{ ref('int_enrollments_first_per_user') }}
),

account_creation_units as (
    select * from enrollments
    where cohort = 'account_creation'
),

flagged_units as (
    select
        counted_units.cohort,
        counted_units.experiment,
        counted_units.wiki,
        counted_units.variant,
        counted_units.enrollment_date,
        counted_units.event_count,
        counted_units.cohort = 'page_impression'
        and account_creation_units.user_id is not null as is_new_account,
        counted_units.cohort = 'page_impression'
        and account_creation_units.user_id is null as is_existing_account
    from counted_units
    left join account_creation_units
        on
            counted_units.experiment = account_creation_units.experiment
            and counted_units.wiki = account_creation_units.wiki
            and counted_units.user_id = account_creation_units.user_id
),

daily_totals as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        enrollment_date,
        cast(count(*) as bigint) as enrolled_users,
        cast(sum(case when is_new_account then 1 else 0 end) as bigint) as new_account_users,
        cast(sum(case when is_existing_account then 1 else 0 end) as bigint) as existing_account_users,
        cast(sum(event_count) as bigint) as enrollment_events
    from flagged_units
    group by cohort, experiment, wiki, variant, enrollment_date
)

select * from daily_totals
