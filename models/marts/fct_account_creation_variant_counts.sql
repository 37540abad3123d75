-- Users enrolled in each variant at account creation, per experiment and wiki.
-- Counts the units of int_enrollments_counted (the multi_variant_policy var).
with

enrollments as (
    select * from {{ ref('int_enrollments_counted') }}
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
