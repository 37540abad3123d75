{{ config(severity='warn') }}
-- Warns with every (cohort, experiment, wiki, variant) that has counted
-- units enrolled outside the days its daily series covers
-- (fct_enrollments_outside_daily_series): fct_daily_enrollments leaves them
-- out, the count marts keep them. Usually a clock or a timestamp gone wrong.
select * from {{ ref('fct_enrollments_outside_daily_series') }}
