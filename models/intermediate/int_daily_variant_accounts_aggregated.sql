-- Per (cohort, experiment, wiki, variant, UTC enrollment date): the counted
-- units (int_enrollments_windowed: every unit of int_enrollments_counted, so
-- the policies apply), their distinct events and, in the page-impression
-- cohort, how many are new accounts (is_new_account, decided in
-- int_enrollments_windowed) and how many existing ones. Days without units
-- have no row; fct_daily_variant_metrics puts them on the spine.
with

counted_units as (
    select * from {{ ref('int_enrollments_windowed') }}
),

flagged_units as (
    select
        cohort,
        experiment,
        wiki,
        variant,
        enrollment_date,
        event_count,
        cohort = 'page_impression' and is_new_account as is_new_account,
        cohort = 'page_impression' and not is_new_account as is_existing_account
    from counted_units
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
