-- Users per variant at account creation, per experiment run (allocation
-- window), with the allocation's share beside the observed one.
select
    experiment_run,
    wiki,
    variant,
    enrolled_users,
    expected_share,
    observed_share,
    enrolled_users_is_suppressed
from {{ ref('fct_account_creation_run_variant_counts') }}
order by experiment, wiki, valid_from, variant
