-- One row per (distinct event, experiment): the variant each kept event assigns.
with

events as (
    select * from {{ ref('int_events_deduplicated') }}
    where is_kept
),

unnested as (
    select
        event_key,
        meta_id,
        cohort,
        wiki,
        user_id,
        enrolled_at,
        {{ explode_list('assignments') }} as assignment_pair
    from events
),

flattened as (
    select
        event_key,
        meta_id,
        cohort,
        assignment_pair.experiment,
        wiki,
        user_id,
        assignment_pair.variant,
        enrolled_at
    from unnested
)

select * from flattened
