-- The experiment-run count marts and the SRM test count the same units: per
-- run and variant, enrolled_users equals observed_users of the cohort's test
-- (true counts; a suppressed cell is skipped), and every run has its test.
with

checks as (
    select * from {{ ref('fct_sample_ratio_checks') }}
),

account_creation as (
    select * from {{ ref('fct_account_creation_run_variant_counts') }}
),

page_impression as (
    select * from {{ ref('fct_page_impression_run_variant_counts') }}
),

runs as (
    select 'account_creation' as cohort, experiment, wiki, valid_from, valid_to, variant, enrolled_users
    from account_creation
    where not enrolled_users_is_suppressed
    union all
    select 'page_impression' as cohort, experiment, wiki, valid_from, valid_to, variant, enrolled_users
    from page_impression
    where not enrolled_users_is_suppressed
),

compared as (
    select
        runs.cohort,
        runs.experiment,
        runs.wiki,
        runs.valid_from,
        runs.valid_to,
        runs.variant,
        runs.enrolled_users,
        checks.observed_users
    from runs
    left join checks
        on
            runs.cohort = checks.cohort
            and runs.experiment = checks.experiment
            and runs.wiki = checks.wiki
            and runs.variant = checks.variant
            and (runs.valid_from = checks.valid_from or (runs.valid_from is null and checks.valid_from is null))
            and (runs.valid_to = checks.valid_to or (runs.valid_to is null and checks.valid_to is null))
    where
        (checks.variant is null and runs.enrolled_users > 0)
        or (checks.variant is not null and not checks.observed_users_is_suppressed
            and checks.observed_users <> runs.enrolled_users)
)

select * from compared
