{#
    Typed reads of a JSON value kept by parse_event_json. A value of the
    wrong JSON type reads as null, so that a rule can reject it.
#}

{# A JSON integer that fits a bigint, else null (strings, decimals, booleans give null). #}
{% macro json_value_as_integer(json_value) %}
    {{ return(adapter.dispatch('json_value_as_integer', 'growth_enrollments')(json_value)) }}
{% endmacro %}

{#
    Other adapters: the value has the form parse_event_json gives it on
    each engine (DuckDB JSON, Spark marked text), so each engine reads it
    its own way.
#}
{% macro default__json_value_as_integer(json_value) %}
    {{ raise_unsupported_adapter('json_value_as_integer') }}
{% endmacro %}

{% macro duckdb__json_value_as_integer(json_value) %}
    case
        when json_type({{ json_value }}) in ('BIGINT', 'UBIGINT')
            then try_cast({{ json_value }} as bigint)
    end
{% endmacro %}

{# Spark: the value is the marked text of spark_mark_json_strings; a JSON integer is digits only. #}
{% macro spark__json_value_as_integer(json_value) %}
    case
        when {{ json_value }} rlike '^-?[0-9]+$'
            then try_cast({{ json_value }} as bigint)
    end
{% endmacro %}

{# A JSON string's text, else null (numbers, booleans, objects give null). #}
{% macro json_value_as_string(json_value) %}
    {{ return(adapter.dispatch('json_value_as_string', 'growth_enrollments')(json_value)) }}
{% endmacro %}

{# Other adapters: as json_value_as_integer. #}
{% macro default__json_value_as_string(json_value) %}
    {{ raise_unsupported_adapter('json_value_as_string') }}
{% endmacro %}

{% macro duckdb__json_value_as_string(json_value) %}
    case
        when json_type({{ json_value }}) = 'VARCHAR'
            then {{ json_value }} ->> '$'
    end
{% endmacro %}

{# Spark: a marked value is a JSON string (see spark_json_text.sql). #}
{% macro spark__json_value_as_string(json_value) %}
    case
        when left({{ json_value }}, 1) = chr(1)
            then substr({{ json_value }}, 2)
    end
{% endmacro %}

{#
    The pairs of a map<string, json> of assignments as a list of
    struct(experiment, variant); a variant that is not a JSON string is null.
#}
{% macro assignment_map_entries(assignment_map) %}
    {{ return(adapter.dispatch('assignment_map_entries', 'growth_enrollments')(assignment_map)) }}
{% endmacro %}

{#
    Other adapters: map and list functions with lambdas differ on every
    engine.
#}
{% macro default__assignment_map_entries(assignment_map) %}
    {{ raise_unsupported_adapter('assignment_map_entries') }}
{% endmacro %}

{% macro duckdb__assignment_map_entries(assignment_map) %}
    list_transform(
        map_entries({{ assignment_map }}),
        lambda entry: {
            'experiment': entry.key,
            'variant': {{ duckdb__json_value_as_string('entry.value') }}
        }
    )
{% endmacro %}

{% macro spark__assignment_map_entries(assignment_map) %}
    transform(
        map_entries({{ assignment_map }}),
        entry -> named_struct(
            'experiment', entry.key,
            'variant', {{ spark__json_value_as_string('entry.value') }}
        )
    )
{% endmacro %}
