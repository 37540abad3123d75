with

raw_event_lines as (
    select * from {{ source('growth_product_interaction', 'raw_event_lines') }}
),

parsed as (
    -- each line is parsed once into a typed struct; null when it is not a JSON object
    select
        source_file,
        coalesce(raw_line, '') as raw_line,
        {{ parse_event_json("coalesce(raw_line, '')") }} as event
    from raw_event_lines
),

flattened as (
    select
        source_file,
        raw_line,
        event is not null as is_json_object,
        event.meta.id as meta_id,
        event.meta.domain as meta_domain,
        event.meta.stream as meta_stream,
        event['$schema'] as schema_uri,
        event.action as action,
        event.action_source as action_source,
        {{ json_value_as_integer('event.performer.id') }} as performer_id,
        {{ json_value_as_integer('event.performer.edit_count') }} as performer_edit_count,
        event.mediawiki.database as wiki_database,
        {{ assignment_map_entries('event.experiments.assigned') }} as assigned_experiments,
        {{ json_value_as_string('event.experiment.enrolled') }} as experiment_enrolled,
        {{ json_value_as_string('event.experiment.assigned') }} as experiment_assigned,
        {{ parse_iso_timestamp('event.dt') }} as dt_at,
        {{ parse_iso_timestamp('event.meta.dt') }} as meta_dt_at
    from parsed
)

select * from flattened
