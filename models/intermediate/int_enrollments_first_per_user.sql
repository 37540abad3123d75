-- One row per unit (cohort, experiment, wiki, user_id), rule 7: its
-- enrollment is its earliest event, ties broken by meta.id ascending.
with

assignments as (
    select * from {{ ref('int_event_assignments_unnested') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by cohort, experiment, wiki, user_id
            order by enrolled_at, meta_id nulls last, event_key
        ) as enrollment_rank
    from assignments
),

unit_totals as (
    select
        cohort,
        experiment,
        wiki,
        user_id,
        count(distinct event_key) as event_count,
        count(distinct variant) as variant_count
    from assignments
    group by cohort, experiment, wiki, user_id
),

first_enrollment as (
    select
        ranked.cohort,
        ranked.experiment,
        ranked.wiki,
        ranked.user_id,
        ranked.variant,
        ranked.enrolled_at,
        unit_totals.event_count,
        unit_totals.variant_count,
        unit_totals.variant_count > 1 as is_multi_variant
    from ranked
    inner join unit_totals
        on
            ranked.cohort = unit_totals.cohort
            and ranked.experiment = unit_totals.experiment
            and ranked.wiki = unit_totals.wiki
            and ranked.user_id = unit_totals.user_id
    where ranked.enrollment_rank = 1
)

select * from first_enrollment
