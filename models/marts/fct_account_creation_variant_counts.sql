-- Users enrolled in each variant at account creation, per experiment and wiki.
-- Counts the units of int_enrollments_counted (the multi_variant_policy var);
-- counts below the var min_cell_size are suppressed (macro published_count).
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
        cast(count(*) as bigint) as enrolled_users
    from enrollments
    group by experiment, wiki, variant
),

published as (
    select
        experiment,
        wiki,
        variant,
        {{ published_count('enrolled_users') }}
    from variant_counts
)

select * from published
