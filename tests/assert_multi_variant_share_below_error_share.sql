-- Fails for every (cohort, experiment, wiki) of at least
-- multi_variant_min_units units (default 100) where more than
-- multi_variant_error_share (default 10%) of them were seen with more than one
-- variant: the assignment itself is broken and no count can be trusted.
select *
from {{ ref('fct_multi_variant_users') }}
where
    multi_variant_share > {{ experiment_health_var('multi_variant_error_share') }}
    and total_units >= {{ experiment_health_var('multi_variant_min_units') }}
