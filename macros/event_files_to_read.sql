{#
    The raw files this run reads, as a list of paths, or none for every file.
    - No file log yet (first run), or a deliberate history rebuild
      (`--full-refresh` with var rebuild_history true): none, every file.
    - Otherwise: files not in the log `int_source_files_loaded`, files whose
      size or modification time changed since they were read, and files
      whose partition date is within var lookback_days of the newest one.
    Called once per dbt command, by `create_event_source_views` at the start,
    after `raw_event_files` is published and before the log is updated, so
    every model of a run sees the same selection.
#}
{% macro event_files_to_read() %}
    {%- if not execute or is_history_rebuild() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set file_log = adapter.get_relation(
        database=target.database, schema=target.schema, identifier='int_source_files_loaded'
    ) -%}
    {%- if file_log is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set selection_query -%}
        with

        files as (
            select * from {{ target.schema }}.raw_event_files
        ),

        last_read as (
            select
                source_file,
                file_size,
                file_modified_at,
                row_number() over (partition by source_file order by loaded_at desc) as read_rank
            from {{ file_log }}
        ),

        newest as (
            select max(partition_date) as partition_date from files
        )

        select files.source_file
        from files
        cross join newest
        left join last_read
            on files.source_file = last_read.source_file and last_read.read_rank = 1
        where
            last_read.source_file is null
            or last_read.file_size <> files.file_size
            or last_read.file_modified_at <> files.file_modified_at
            or files.partition_date >= {{ dbt.dateadd('day', -1 * var('lookback_days'), 'newest.partition_date') }}
        order by files.source_file
    {%- endset -%}
    {{ return(run_query(selection_query).columns[0].values() | list) }}
{% endmacro %}

{# A list of paths as SQL string literals, comma-separated. #}
{% macro quoted_paths(paths) -%}
    {%- for path in paths -%}
        '{{ path | replace("'", "''") }}'{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
