{#
    A query of one row per (event, experiment) of the events in `events` (a
    CTE or relation of int_events_deduplicated's columns): the variant each
    event assigns, and what the event's singular `experiment` object says of
    the same experiment: a different variant (the map's counts, rule 4), or
    an assignment forced by an override (coordinator `forced`). The body of
    int_event_assignments_unnested (every kept event), and of
    int_enrollments_first_per_user's incremental runs (the kept events of
    the users it recomputes, found before the lists are unnested).
#}
{% macro event_assignments_flattened(events) %}
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
    from (
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
        from {{ events }}
    ) as unnested
{% endmacro %}
