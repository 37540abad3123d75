-- One row per (distinct event, experiment) of the kept events: the variant
-- each assigns, with what its singular `experiment` object says of the same
-- experiment (macro event_assignments_flattened).
with

kept_events as (
    select * from {{ ref('int_events_deduplicated') }}
    where is_kept
),

flattened as (
    {{ event_assignments_flattened('kept_events') }}
)

select * from flattened
