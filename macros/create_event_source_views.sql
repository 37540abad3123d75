{#
    Publishes the raw event files matched by the var `events_path` as the two
    source relations, at the start of every dbt command:
    - `raw_event_files`: one row per file, with its size, modification time
      and partition date (from a data-lake path `year=/month=/day=`, else
      the modification date). Incremental runs compare it with
      `int_source_files_loaded` to choose what to read.
    - `raw_event_lines`: one row per raw line (`source_file`, `raw_line`),
      valid JSON or not, so that nothing is dropped before staging classifies
      it. With `events_format: parquet` each Parquet row becomes one line,
      its columns serialised as a JSON object.
    A glob that matches no file gives empty relations, not an error.
#}
{% macro create_event_source_views() %}
    {{ return(adapter.dispatch('create_event_source_views', 'growth_enrollments')()) }}
{% endmacro %}

{% macro duckdb__create_event_source_views() %}
    {%- set events_path = var('events_path') -%}
    {%- set events_format = var('events_format', 'json') -%}
    {%- if events_format not in ('json', 'parquet') -%}
        {{ exceptions.raise_compiler_error("var events_format must be 'json' or 'parquet', got '" ~ events_format ~ "'") }}
    {%- endif -%}
    {%- set files_found = run_query(
        "select count(*) from glob('" ~ events_path ~ "')"
    ).columns[0].values()[0] if execute else 1 -%}
    create schema if not exists {{ target.schema }};

    create or replace view {{ target.schema }}.raw_event_files as
    {% if files_found == 0 %}
        select
            cast(null as varchar) as source_file,
            cast(null as bigint) as file_size,
            cast(null as timestamp) as file_modified_at,
            cast(null as date) as partition_date
        where false;
    {% else %}
        with listed as (
            select
                filename as source_file,
                size as file_size,
                cast(last_modified at time zone 'UTC' as timestamp) as file_modified_at,
                regexp_extract(filename, 'year=([0-9]{4})/month=([0-9]{1,2})/day=([0-9]{1,2})/', ['y', 'm', 'd'])
                    as path_date
            from read_blob('{{ events_path }}')
        )
        select
            source_file,
            file_size,
            file_modified_at,
            coalesce(
                try_cast(
                    path_date.y || '-' || lpad(path_date.m, 2, '0') || '-' || lpad(path_date.d, 2, '0') as date
                ),
                cast(file_modified_at as date)
            ) as partition_date
        from listed;
    {% endif %}

    create or replace view {{ target.schema }}.raw_event_lines as
    {% if files_found == 0 %}
        select
            cast(null as varchar) as source_file,
            cast(null as varchar) as raw_line
        where false;
    {% elif events_format == 'parquet' %}
        select
            filename as source_file,
            cast(to_json(struct_pack(*columns(* exclude (filename)))) as varchar) as raw_line
        from read_parquet(
            '{{ events_path }}',
            hive_partitioning = false,
            union_by_name = true,
            filename = true
        );
    {% else %}
        select
            filename as source_file,
            line as raw_line
        from read_csv(
            '{{ events_path }}',
            columns = {'line': 'VARCHAR'},
            delim = chr(31),
            quote = '',
            escape = '',
            header = false,
            auto_detect = false,
            strict_mode = false,
            max_line_size = 16777216,
            filename = true
        );
    {% endif %}
{% endmacro %}
