{{ config(severity='warn') }}
-- Warns with every (cohort, experiment, wiki) and pair of variants where
-- an event's singular `experiment` object names another variant than its
-- `experiments.assigned` map (int_event_assignments_unnested;
-- fct_assignment_source_conflicts counts the units).
select
    cohort,
    experiment,
    wiki,
    variant as map_variant,
    singular_variant,
    count(distinct user_id) as conflicting_users
from {{ ref('int_event_assignments_unnested') }}
where is_singular_variant_conflict
group by cohort, experiment, wiki, variant, singular_variant
