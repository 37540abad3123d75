{{ config(severity='warn') }}
-- Warns with every (cohort, experiment, wiki) where more than
-- multi_variant_warn_share (default 1%) of the units were seen with more than
-- one variant: bucketing changed under users, or two experiments share a key.
select *
from {{ ref('fct_multi_variant_users') }}
where multi_variant_share > {{ experiment_health_var('multi_variant_warn_share') }}
