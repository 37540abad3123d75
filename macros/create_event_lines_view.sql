{#
    Publishes the raw event files as the source relation `raw_event_lines`:
    one row per raw line, with `source_file` and the line text `raw_line`.
    Every line is kept, valid JSON or not, so that nothing is dropped before
    the staging model classifies it. Runs at the start of every dbt command.
#}
{% macro create_event_lines_view() %}
    {{ return(adapter.dispatch('create_event_lines_view', 'growth_enrollments')()) }}
{% endmacro %}

{% macro duckdb__create_event_lines_view() %}
    {%- set relation = target.schema ~ '.raw_event_lines' -%}
    {%- set files_found = run_query(
        "select count(*) from glob('" ~ var('events_path') ~ "')"
    ).columns[0].values()[0] if execute else 1 -%}
    create schema if not exists {{ target.schema }};
    create or replace view {{ relation }} as
    {% if files_found == 0 %}
        select
            cast(null as varchar) as source_file,
            cast(null as varchar) as raw_line
        where false
    {% else %}
        select
            filename as source_file,
            line as raw_line
        from read_csv(
            '{{ var("events_path") }}',
            columns = {'line': 'VARCHAR'},
            delim = chr(31),
            quote = '',
            escape = '',
            header = false,
            auto_detect = false,
            strict_mode = false,
            max_line_size = 16777216,
            filename = true
        )
    {% endif %}
{% endmacro %}
