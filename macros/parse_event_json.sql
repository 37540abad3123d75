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

{% macro duckdb__parse_event_json(raw_line) %}
    case
        when json_valid({{ raw_line }}) and json_type({{ raw_line }}) = 'OBJECT'
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
