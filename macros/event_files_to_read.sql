{#
    The raw files this run reads, as a SQL predicate on `column_name`.
    - No file log yet (first run), or a deliberate history rebuild
      (`--full-refresh` with var rebuild_history true): every file.
    - Otherwise: files not in the log `int_source_files_loaded`, files whose
      size or modification time changed since they were read, and files
      whose partition date is within var lookback_days of the newest one.
    Evaluated when the calling model is compiled, before the log is updated
    in the same run, so every model of a run sees the same selection.
#}
{% macro event_files_to_read(column_name) %}
    {%- if not execute or is_history_rebuild() -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set file_log = adapter.get_relation(
        database=target.database, schema=target.schema, identifier='int_source_files_loaded'
    ) -%}
    {%- if file_log is none -%}
        {{ return('true') }}
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
    {%- set paths = run_query(selection_query).columns[0].values() -%}
    {%- if paths | length == 0 -%}
        {{ return('false') }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for path in paths -%}
        {%- do quoted.append("'" ~ (path | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return(column_name ~ ' in (' ~ quoted | join(', ') ~ ')') }}
{% endmacro %}
