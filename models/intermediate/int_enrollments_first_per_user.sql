-- One row per unit (cohort, experiment, wiki, user_id), rule 7: its
-- enrollment is its earliest event, ties broken by meta.id ascending (events
-- without one last, then by event key). Recomputed from the kept events on
-- every run.
with

assignments as (
    select * from {{ ref('int_event_assignments_unnested') }}
),

first_enrollment as (
    -- (event_key, experiment) is unique, so count(*) counts distinct events
    select
        cohort,
        experiment,
        wiki,
        user_id,
        {{ min_by('variant', ['enrolled_at', 'meta_id is null', "coalesce(meta_id, '')", 'event_key']) }}
            as variant,
        min(enrolled_at) as enrolled_at,
        count(*) as event_count,
        count(distinct variant) as variant_count
    from assignments
    group by cohort, experiment, wiki, user_id
),

flagged as (
    select
        *,
        variant_count > 1 as is_multi_variant
    from first_enrollment
)

select * from flagged
