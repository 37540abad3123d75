{#
    Values that meet SQL as data, never as code: a SQL string literal, and a
    path as a DuckDB file pattern that matches only that file.
#}

{# `value` as a SQL string literal: 'it''s' (Spark: 'it\'s'). #}
{% macro sql_string(value) -%}
    {{ return(adapter.dispatch('sql_string', 'growth_enrollments')(value)) }}
{%- endmacro %}

{% macro default__sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{# Spark SQL escapes with a backslash, and reads '' as two adjacent literals. #}
{% macro spark__sql_string(value) -%}
    '{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}'
{%- endmacro %}

{#
    A file path as a DuckDB glob that matches exactly that file: DuckDB's
    readers expand `*`, `?` and `[...]` in every path they are given, so
    each is put inside a bracket class (`x[1].json` -> `x[[]1].json`).
#}
{% macro literal_file_pattern(path) -%}
    {{- path | replace('[', '[[]') | replace('*', '[*]') | replace('?', '[?]') -}}
{%- endmacro %}

{# A list of paths as SQL string literals, comma-separated. #}
{% macro quoted_paths(paths) -%}
    {%- for path in paths -%}
        {{ sql_string(path) }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{# The folder of a glob: its segments before the first one with a wildcard. #}
{% macro event_files_folder(events_path) %}
    {%- set folder = [] -%}
    {%- for segment in events_path.split('/') -%}
        {%- if '*' in segment or '?' in segment or '[' in segment or '{' in segment -%}
            {{ return(folder | join('/') if folder else '.') }}
        {%- endif -%}
        {%- do folder.append(segment) -%}
    {%- endfor -%}
    {{ return(folder | join('/')) }}
{% endmacro %}
