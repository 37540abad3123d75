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
