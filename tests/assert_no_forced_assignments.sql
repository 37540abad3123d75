{{ config(severity='warn') }}
-- Warns with every (cohort, experiment, wiki, variant) of units with a
-- forced assignment (coordinator `forced`): an override, often a tester,
-- chose the variant. The var forced_assignment_policy says whether the
-- counts keep them (fct_assignment_source_conflicts counts them either way).
select
    cohort,
    experiment,
    wiki,
    variant,
    count(*) as forced_users
from {{ ref('fct_experiment_enrollments') }}
where has_forced_assignment
group by cohort, experiment, wiki, variant
