-- Users enrolled in each variant at page impression, per experiment and wiki,
-- split into accounts also enrolled at creation (new) and the rest (existing).
-- Counts the units of int_enrollments_counted (the multi_variant_policy var);
-- whether an account is new is looked up in every account-creation unit,
-- whatever the policy: the account was created in the experiment either way.
with

counted_units as (
    select * from {{ ref('int_enrollments_counted') }}
),

enrollments as (
    select * from {{ ref('fct_experiment_enrollments') }}
),

page_impression_units as (
    select * from counted_units
    where cohort = 'page_impression'
),

account_creation_units as (
    select * from enrollments
    where cohort = 'account_creation'
),

flagged as (
    select
        page_impression_units.experiment,
        page_impression_units.wiki,
        page_impression_units.variant,
        page_impression_units.event_count,
        account_creation_units.user_id is not null as is_new_account
    from page_impression_units
    left join account_creation_units
        on
            page_impression_units.experiment = account_creation_units.experiment
            and page_impression_units.wiki = account_creation_units.wiki
            and page_impression_units.user_id = account_creation_units.user_id
),

variant_counts as (
    select
        experiment,
        wiki,
        variant,
        count(*) as enrolled_users,
        sum(case when is_new_account then 1 else 0 end) as new_account_users,
        sum(case when is_new_account then 0 else 1 end) as existing_account_users,
        sum(event_count) as impression_events
    from flagged
    group by experiment, wiki, variant
)

select * from variant_counts
