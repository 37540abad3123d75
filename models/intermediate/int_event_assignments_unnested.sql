-- One row per (distinct event, experiment): the variant each kept event
-- assigns, and what the event's singular `experiment` object says of the
-- same experiment: a different variant (the map's counts, rule 4), or an
-- assignment forced by an override (coordinator `forced`).
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
        singular_experiment,
        singular_variant,
        singular_coordinator,
        computed_at,
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
        enrolled_at,
        case when assignment_pair.experiment = singular_experiment then singular_variant end as singular_variant,
        coalesce(
            assignment_pair.experiment = singular_experiment
            and assignment_pair.variant <> singular_variant,
            false
        ) as is_singular_variant_conflict,
        coalesce(
            assignment_pair.experiment = singular_experiment
            and singular_coordinator = 'forced',
            false
        ) as is_forced_assignment,
        computed_at
    from unnested
)

select * from flattened
