{#
    DuckDB: dbt-duckdb's create_table_as, plus the model's
    `meta: {uncompressed_columns: [...]}`: columns of random strings (md5s,
    UUIDs) stored without compression. DuckDB's string compression halves
    such a column for about 0.4 CPU-s per million values written
    (int_event_lines_classified at 10M lines: 18 CPU-s to write, 10 with
    its two such columns uncompressed). Only a column definition can say
    `using compression`, so such a table is created from the query's
    column types, then filled. Meant for tables rebuilt each run, whose
    size does not last: the stored history keeps its compression.
#}
{% macro duckdb__create_table_as(temporary, relation, compiled_code, language='sql', partitioned_by=none, sorted_by=none) -%}
    {%- set uncompressed_columns = config.meta_get('uncompressed_columns') or [] -%}
    {%- if language != 'sql' or temporary or uncompressed_columns | length == 0
        or config.get('contract').enforced or config.get('sql_header') or partitioned_by or sorted_by -%}
        {{- dbt.duckdb__create_table_as(temporary, relation, compiled_code, language, partitioned_by, sorted_by) -}}
    {%- else -%}
        {#- DuckDB's own type names (dbt's column types flatten structs); the
            query on lines of its own, as it may end in a -- comment -#}
        {%- set described = run_query('describe select * from (\n' ~ compiled_code ~ '\n) as model_subq') -%}
        {%- set names = described.columns[0].values() | list -%}
        {%- set types = described.columns[1].values() | list -%}
        {%- for name in uncompressed_columns if name not in names -%}
            {{ exceptions.raise_compiler_error(
                "uncompressed_columns names " ~ name ~ ", which " ~ relation ~ " does not have"
            ) }}
        {%- endfor -%}
        create table {{ relation }} (
            {%- for name in names %}
            {{ adapter.quote(name) }} {{ types[loop.index0] }}
            {%- if name in uncompressed_columns %} using compression uncompressed{% endif %}
            {{- ',' if not loop.last }}
            {%- endfor %}
        );
        insert into {{ relation }}
        select * from (
            {{ compiled_code }}
        ) as model_subq;
    {%- endif -%}
{%- endmacro %}
