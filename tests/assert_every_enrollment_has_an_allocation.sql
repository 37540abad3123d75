{{ config(severity='warn') }}
-- Warns with every (cohort, experiment, wiki) whose counted units the sample
-- ratio check cannot test (int_enrollments_windowed, where window membership
-- is decided): `no_allocation` when the experiment and wiki have no
-- configured allocation at all, `outside_allocation_windows` when they have
-- one but these units enrolled on a day no window covers.
select
    cohort,
    experiment,
    wiki,
    outside_reason as reason,
    count(*) as untested_units,
    min(enrollment_date) as first_enrollment_date,
    max(enrollment_date) as last_enrollment_date
from {{ ref('int_enrollments_windowed') }}
where allocation_window_key is null
group by cohort, experiment, wiki, outside_reason
