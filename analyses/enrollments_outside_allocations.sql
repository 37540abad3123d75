-- Users enrolled outside every allocation window: never in the run counts.
select
    cohort,
    experiment,
    wiki,
    variant,
    outside_reason,
    enrolled_users,
    first_enrollment_date,
    last_enrollment_date
from {{ ref('fct_enrollments_outside_allocations') }}
order by cohort, experiment, wiki, variant
