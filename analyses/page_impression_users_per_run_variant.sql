-- Users per variant at page impression, new accounts included, per
-- experiment run (allocation window).
select
    experiment_run,
    wiki,
    variant,
    enrolled_users,
    new_account_users,
    existing_account_users,
    impression_events,
    expected_share,
    observed_share,
    enrolled_users_is_suppressed,
    new_account_users_is_suppressed
from {{ ref('fct_page_impression_run_variant_counts') }}
order by experiment, wiki, valid_from, variant
