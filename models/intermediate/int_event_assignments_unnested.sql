-- One row per (event, experiment): the variant each distinct event assigns.
with

events as (
    select * from {{ ref('int_events_deduplicated') }}
),

unnested as (
    select
        event_key,
        meta_id,
        cohort,
        wiki,
        user_id,
        enrolled_at,
        {{ explode_list('assignments') }} as assignment
    from events
),

flattened as (
    select
        event_key,
        meta_id,
        cohort,
        assignment.experiment as experiment,
        wiki,
        user_id,
        assignment.variant as variant,
        enrolled_at
    from unnested
)

select * from flattened
