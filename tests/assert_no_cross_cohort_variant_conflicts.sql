{{ config(severity='warn') }}
-- Warns with every (experiment, wiki) with users whose page-impression
-- variant differs from their account-creation variant
-- (int_cross_cohort_users_compared; fct_cross_cohort_conflicts counts them).
select
    experiment,
    wiki,
    account_creation_variant,
    page_impression_variant,
    count(*) as conflicting_users
from {{ ref('int_cross_cohort_users_compared') }}
where is_variant_conflict
group by experiment, wiki, account_creation_variant, page_impression_variant
