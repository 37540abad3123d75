-- Enrollment over time, for a line chart of one experiment and wiki.
select
    cohort,
    variant,
    enrollment_date,
    new_users,
    cumulative_users
from {{ ref('fct_daily_enrollments') }}
where experiment = 'growth-experiments' and wiki = 'ptwiki'
order by cohort, variant, enrollment_date
