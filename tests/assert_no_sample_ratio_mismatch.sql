{{ config(severity='warn') }}
-- Warns with every row of fct_sample_ratio_checks whose test found a sample
-- ratio mismatch (is_srm, whatever else is wrong): the split of users across variants differs
-- from the allocation by more than chance explains. See docs/experiment-health.md,
-- "What to do about an SRM", for what to check.
select
    cohort,
    experiment,
    wiki,
    valid_from,
    valid_to,
    variant,
    observed_users,
    expected_users,
    observed_share,
    expected_share,
    total_users,
    chi_square,
    test_method,
    p_value
from {{ ref('fct_sample_ratio_checks') }}
where is_srm
