-- The sample ratio tests, SRM first: read before comparing variants (a `srm`
-- status means the counts cannot be compared).
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
    observed_share_wilson_lower,
    observed_share_wilson_upper,
    total_users,
    test_method,
    p_value,
    is_srm,
    has_unexpected_variants,
    status
from {{ ref('fct_sample_ratio_checks') }}
order by not is_srm, cohort, experiment, wiki, variant
