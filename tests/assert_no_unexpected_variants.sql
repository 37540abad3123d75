{{ config(severity='warn') }}
-- Warns with every variant users landed in although the allocation of their
-- window does not list it (status unexpected_variants): a wrong allocation
-- seed, a renamed variant, or users bucketed by another experiment.
select
    cohort,
    experiment,
    wiki,
    valid_from,
    valid_to,
    variant,
    observed_users,
    total_users
from {{ ref('fct_sample_ratio_checks') }}
where not is_configured
