{#
    `value` as a SQL string literal, so that it meets SQL as data, never as
    code: 'it''s' (Spark: 'it\'s').
#}
{% macro sql_string(value) -%}
    {{ return(adapter.dispatch('sql_string', 'growth_enrollments')(value)) }}
{%- endmacro %}

{# Standard SQL (DuckDB among others): a quote inside is doubled. #}
{% macro default__sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{# Spark SQL escapes with a backslash, and reads '' as two adjacent literals. #}
{% macro spark__sql_string(value) -%}
    '{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}'
{%- endmacro %}
