with

raw_event_lines as (
    -- the files this run reads: every file on a first run; new, changed and
    -- recent files afterwards (chosen once, by the source's on-run-start hook)
    select * from {{ source('growth_product_interaction', 'raw_event_lines') }}
),

parsed as (
    -- each line is parsed once into a typed struct; null when it is not a JSON object
    select
        source_file,
        coalesce(raw_line, '') as raw_line,
        line_error,
        {{ parse_event_json("coalesce(raw_line, '')") }} as parsed_event
    from raw_event_lines
),

flattened as (
    select
        source_file,
        raw_line,
        line_error,
        parsed_event is not null as is_json_object,
        parsed_event.meta.id as meta_id,
        parsed_event.meta.domain as meta_domain,
        parsed_event.meta.stream as meta_stream,
        parsed_event['$schema'] as schema_uri,
        parsed_event.action,
        parsed_event.action_source,
        {{ json_value_as_integer('parsed_event.performer.id') }} as performer_id,
        {{ json_value_as_integer('parsed_event.performer.edit_count') }} as performer_edit_count,
        parsed_event.mediawiki.database as wiki_database,
        {{ assignment_map_entries('parsed_event.experiments.assigned') }} as assigned_experiments,
        {{ json_value_as_string('parsed_event.experiment.enrolled') }} as experiment_enrolled,
        {{ json_value_as_string('parsed_event.experiment.assigned') }} as experiment_assigned,
        parsed_event.experiment.coordinator as experiment_coordinator,
        parsed_event.dt as event_dt,
        parsed_event.meta.dt as meta_dt
    from parsed
)

select * from flattened
