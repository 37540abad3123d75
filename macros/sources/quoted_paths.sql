{# A list of paths as SQL string literals (sql_string), comma-separated. #}
{% macro quoted_paths(paths) -%}
    {%- for path in paths -%}
        {{ sql_string(path) }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
