{{ config(severity='warn') }}
-- Warns with every (cohort, experiment, wiki) whose counted units the sample
-- ratio check cannot test: `no_allocation` when the experiment and wiki have
-- no configured allocation at all, `outside_allocation_windows` when they
-- have one but these units enrolled on a day no window covers.
with

units as (
    select * from {{ ref('int_enrollments_counted') }}
),

allocations as (
    select * from {{ ref('int_experiment_allocations_resolved') }}
),

allocated_wikis as (
    select distinct
        experiment,
        wiki
    from allocations
),

windows as (
    select distinct
        experiment,
        wiki,
        valid_from,
        valid_to
    from allocations
),

units_in_windows as (
    select distinct
        units.cohort,
        units.experiment,
        units.wiki,
        units.user_id
    from units
    inner join windows
        on
            units.experiment = windows.experiment
            and units.wiki = windows.wiki
            and (windows.valid_from is null or units.enrollment_date >= windows.valid_from)
            and (windows.valid_to is null or units.enrollment_date <= windows.valid_to)
),

untested_units as (
    select
        units.cohort,
        units.experiment,
        units.wiki,
        units.enrollment_date,
        case
            when allocated_wikis.wiki is null then 'no_allocation'
            else 'outside_allocation_windows'
        end as reason
    from units
    left join allocated_wikis
        on
            units.experiment = allocated_wikis.experiment
            and units.wiki = allocated_wikis.wiki
    left join units_in_windows
        on
            units.cohort = units_in_windows.cohort
            and units.experiment = units_in_windows.experiment
            and units.wiki = units_in_windows.wiki
            and units.user_id = units_in_windows.user_id
    where units_in_windows.user_id is null
)

select
    cohort,
    experiment,
    wiki,
    reason,
    count(*) as untested_units,
    min(enrollment_date) as first_enrollment_date,
    max(enrollment_date) as last_enrollment_date
from untested_units
group by cohort, experiment, wiki, reason
