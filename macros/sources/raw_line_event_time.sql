{#
    The event time of one raw line, for the source freshness check: rule 3's
    enrollment time (`dt` when it is an ISO 8601 timestamp, else `meta.dt`),
    in UTC; null for a line that is not JSON or has neither. Read straight
    from the raw text, because freshness runs on the source, before staging.
#}
{% macro raw_line_event_time(raw_line) %}
    {{ return(adapter.dispatch('raw_line_event_time', 'growth_enrollments')(raw_line)) }}
{% endmacro %}

{#
    Other adapters: reading a field out of JSON text, and
    parse_iso_timestamp, have no portable form.
#}
{% macro default__raw_line_event_time(raw_line) %}
    {{ raise_unsupported_adapter('raw_line_event_time') }}
{% endmacro %}

{% macro duckdb__raw_line_event_time(raw_line) %}
    case
        when json_valid({{ raw_line }})
            then coalesce(
                {{ parse_iso_timestamp("json_extract_string(" ~ raw_line ~ ", '$.dt')") }},
                {{ parse_iso_timestamp("json_extract_string(" ~ raw_line ~ ", '$.meta.dt')") }}
            )
    end
{% endmacro %}

{# Spark: get_json_object gives null for text that is not JSON. #}
{% macro spark__raw_line_event_time(raw_line) %}
    coalesce(
        {{ parse_iso_timestamp("get_json_object(" ~ raw_line ~ ", '$.dt')") }},
        {{ parse_iso_timestamp("get_json_object(" ~ raw_line ~ ", '$.meta.dt')") }}
    )
{% endmacro %}
