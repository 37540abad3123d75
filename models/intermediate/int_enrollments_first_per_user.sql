{{ config(
    incremental_strategy='append',
    pre_hook="{% if is_incremental() %}delete from {{ this }} as units where {{ changed_enrollment_users('units') }}{% endif %}",
) }}
-- One row per unit (cohort, experiment, wiki, user_id), rule 7: its
-- enrollment is its earliest event, ties broken by meta.id ascending (events
-- without one last, then by event key). Incremental runs recompute only the
-- users with an event loaded since the last refresh: the pre-hook deletes
-- their rows, the body rebuilds them from all their events.
with

assignments as (
    -- the alias is used by the incremental filter only (unused on a first run)
    select * from {{ ref('int_event_assignments_unnested') }} as assignments  -- noqa: AL05
    {% if is_incremental() %}
        where {{ changed_enrollment_users('assignments') }}
    {% endif %}
),

events as (
    select * from {{ ref('int_events_deduplicated') }}
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

stamped as (
    select
        *,
        variant_count > 1 as is_multi_variant,
        (select max(events.loaded_at) from events) as events_loaded_at
    from first_enrollment
)

select * from stamped
