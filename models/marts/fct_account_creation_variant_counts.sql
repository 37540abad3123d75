-- Users enrolled in each variant at account creation, per experiment and wiki.
with

enrollments as (
    select * from {{ ref('fct_experiment_enrollments') }}
    where cohort = 'account_creation'
),

variant_counts as (
    select
        experiment,
        wiki,
        variant,
        count(*) as enrolled_users
    from enrollments
    group by experiment, wiki, variant
)

select * from variant_counts
