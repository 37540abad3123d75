{#
    A file path as a DuckDB glob that matches exactly that file: DuckDB's
    readers expand `*`, `?` and `[...]` in every path they are given, so
    each is put inside a bracket class (`x[1].json` -> `x[[]1].json`).
#}
{% macro literal_file_pattern(path) -%}
    {{- path | replace('[', '[[]') | replace('*', '[*]') | replace('?', '[?]') -}}
{%- endmacro %}
