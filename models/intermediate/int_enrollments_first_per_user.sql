{%- set watermark = recomputed_watermark() -%}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_recomputed_users() }}",
) }}
-- One row per unit (cohort, experiment, wiki, user_id), rule 7: its
-- enrollment is its earliest event, ties broken by meta.id ascending (events
-- without one last, then by event key). It also says whether any of its
-- events had a singular `experiment` object disagreeing with the map, or a
-- forced assignment. Incremental on DuckDB: a run
-- recomputes the users int_enrollment_users_changed logged since its last
-- run (macro recomputed_watermark), after its pre-hook deleted their units;
-- their kept events are found first, by user, and only theirs unnested
-- (the unnesting of int_event_assignments_unnested, macro
-- event_assignments_flattened).
-- depends_on: {{ ref('int_enrollment_users_changed') }}, {{ ref('int_events_deduplicated') }}
with

{% if is_incremental() %}
    recomputed_events as (
        {{ late_materialized_rows(
            ref('int_events_deduplicated'),
            'user_events',
            'user_events.is_kept and ' ~ is_user_recomputed_since('user_events', watermark),
        ) }}
    ),

    assignments as (
        {{ event_assignments_flattened('recomputed_events') }}
    ),
{% else %}
    assignments as (
        select * from {{ ref('int_event_assignments_unnested') }}
    ),
{% endif %}

unit_variants as (
    -- one row per unit and variant, so that the units' variants are counted
    -- as rows below: a count(distinct variant) made DuckDB store every
    -- assignment once for two aggregates (EXPLAIN ANALYZE of a full build
    -- at 10M lines, 2GB: 9.6 s and 31 CPU-s, spilling; now 5.7 s, 10 CPU-s).
    -- (event_key, experiment) is unique, so count(*) counts distinct events.
    select
        cohort,
        experiment,
        wiki,
        user_id,
        variant,
        min({{ ordering_key(['enrolled_at', 'meta_id is null', "coalesce(meta_id, '')", 'event_key']) }})
            as first_event_order,
        min(enrolled_at) as enrolled_at,
        count(*) as event_count,
        max(case when is_singular_variant_conflict then 1 else 0 end) as has_singular_variant_conflict,
        max(case when is_forced_assignment then 1 else 0 end) as has_forced_assignment
    from assignments
    group by cohort, experiment, wiki, user_id, variant
),

first_enrollment as (
    select
        cohort,
        experiment,
        wiki,
        user_id,
        {{ min_by('variant', ['first_event_order']) }} as variant,
        min(enrolled_at) as enrolled_at,
        cast(sum(event_count) as bigint) as event_count,
        count(*) as variant_count,
        -- the pairs of fct_multi_variant_users, read from here instead of
        -- from every event again
        case when count(*) > 1 then {{ list_agg_sorted('variant') }} end as variants_seen,
        max(has_singular_variant_conflict) = 1 as has_singular_variant_conflict,
        max(has_forced_assignment) = 1 as has_forced_assignment
    from unit_variants
    group by cohort, experiment, wiki, user_id
),

flagged as (
    select
        *,
        variant_count > 1 as is_multi_variant,
        {{ run_started_timestamp() }} as computed_at
    from first_enrollment
)

select * from flagged
