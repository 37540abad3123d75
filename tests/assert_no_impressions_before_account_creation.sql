{{ config(severity='warn') }}
-- Warns with every (experiment, wiki) with users whose first page impression
-- is earlier than their account's creation (int_cross_cohort_users_compared;
-- fct_cross_cohort_conflicts counts them): they still count as new accounts.
select
    experiment,
    wiki,
    count(*) as users_with_impressions_before_creation,
    min(first_impression_at) as first_impression_at,
    max(account_created_at) as last_account_created_at
from {{ ref('int_cross_cohort_users_compared') }}
where is_impression_before_creation
group by experiment, wiki
