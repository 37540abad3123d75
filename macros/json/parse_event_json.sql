{#
    Parses one raw line, once, into a typed struct holding every field the
    pipeline reads. `experiments.assigned` stays a map so that new
    experiments and variants need no code change. Values whose JSON type
    matters to a rule (`performer.id`, the variants) are kept as JSON and
    checked with the macros in json_value_macros.sql.
#}
{% macro parse_event_json(raw_line) %}
    {{ return(adapter.dispatch('parse_event_json', 'growth_enrollments')(raw_line)) }}
{% endmacro %}

{#
    Other adapters: parsing JSON text into a typed struct with a map is done
    by different functions on every engine.
#}
{% macro default__parse_event_json(raw_line) %}
    {{ raise_unsupported_adapter('parse_event_json') }}
{% endmacro %}

{#
    DuckDB: valid JSON whose first character after JSON whitespace is `{` is
    an object; checking that on the text spares a second parse (json_type).
#}
{% macro duckdb__parse_event_json(raw_line) %}
    case
        when json_valid({{ raw_line }}) and regexp_matches({{ raw_line }}, '^[ \t\n\r]*[{]')
            then from_json({{ raw_line }}, '{
                "$schema": "VARCHAR",
                "action": "VARCHAR",
                "action_source": "VARCHAR",
                "dt": "VARCHAR",
                "meta": {"id": "VARCHAR", "dt": "VARCHAR", "domain": "VARCHAR", "stream": "VARCHAR"},
                "mediawiki": {"database": "VARCHAR"},
                "performer": {"id": "JSON", "edit_count": "JSON"},
                "experiments": {"assigned": "MAP(VARCHAR, JSON)"},
                "experiment": {"enrolled": "JSON", "assigned": "JSON", "coordinator": "VARCHAR"}
            }')
    end
{% endmacro %}

{#
    Spark: the line is checked to be exactly one JSON object and its strings
    are marked (spark_json_text.sql). Each nested object is read from its own
    JSON text, so that a field of the wrong JSON type (say `performer: 5`)
    nulls only that object, as in DuckDB, not the whole line. Fields DuckDB
    reads as VARCHAR are unmarked; the JSON-typed ones keep their marked text
    for json_value_as_integer and json_value_as_string. Lambdas bind each
    parse to a name so that every text is parsed once.
#}
{% macro spark__parse_event_json(raw_line) %}
    {%- set options = spark_json_options() -%}
    element_at(transform(array({{ spark_json_object_text(raw_line) }}), object_text -> case
        when object_text is not null then element_at(transform(
            array(from_json(
                object_text,
                'struct<`$schema`: string, action: string, action_source: string, dt: string, meta: string, mediawiki: string, performer: string, experiments: string, experiment: string>',
                {{ options }}
            )),
            event -> named_struct(
                '$schema', {{ spark_unmarked('event.`$schema`') }},
                'action', {{ spark_unmarked('event.action') }},
                'action_source', {{ spark_unmarked('event.action_source') }},
                'dt', {{ spark_unmarked('event.dt') }},
                'meta', element_at(transform(
                    array(from_json(event.meta, 'struct<id: string, dt: string, domain: string, stream: string>', {{ options }})),
                    meta -> named_struct(
                        'id', {{ spark_unmarked('meta.id') }},
                        'dt', {{ spark_unmarked('meta.dt') }},
                        'domain', {{ spark_unmarked('meta.domain') }},
                        'stream', {{ spark_unmarked('meta.stream') }}
                    )
                ), 1),
                'mediawiki', named_struct(
                    'database', {{ spark_unmarked("from_json(event.mediawiki, 'struct<database: string>', " ~ options ~ ").database") }}
                ),
                'performer', from_json(event.performer, 'struct<id: string, edit_count: string>', {{ options }}),
                'experiments', from_json(event.experiments, 'struct<assigned: map<string, string>>', {{ options }}),
                'experiment', element_at(transform(
                    array(from_json(event.experiment, 'struct<enrolled: string, assigned: string, coordinator: string>', {{ options }})),
                    experiment -> named_struct(
                        'enrolled', experiment.enrolled,
                        'assigned', experiment.assigned,
                        'coordinator', {{ spark_unmarked('experiment.coordinator') }}
                    )
                ), 1)
            )
        ), 1)
    end), 1)
{% endmacro %}
