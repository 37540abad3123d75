{#
    The raw files this run reads, as a list of paths, or none for every file.
    - No committed file log yet (first run), or a deliberate history rebuild
      (`--full-refresh` with var rebuild_history true): none, every file.
    - Otherwise: every listed file whose version (path, size, modification
      time) the log `state_file_reads` has not committed, and every file of
      the newest var lookback_days partition dates (0 by default: none).
    The log is read as the source `growth_enrollments_state.state_file_reads`:
    the state the previous runs committed. Called once per dbt command, by
    `create_event_source_views` at the start, so every model of a run sees
    the same selection.
#}
{% macro event_files_to_read() %}
    {%- if not execute or is_history_rebuild() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set file_log = load_relation(source('growth_enrollments_state', 'state_file_reads')) -%}
    {%- if file_log is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set selection_query -%}
        with

        files as (
            select * from {{ source('growth_product_interaction', 'raw_event_files') }}
        ),

        committed as (
            select distinct source_file, file_version from {{ file_log }}
        ),

        newest as (
            select max(partition_date) as partition_date from files where read_error is null
        )

        select files.source_file
        from files
        cross join newest
        left join committed
            on files.source_file = committed.source_file and files.file_version = committed.file_version
        where
            committed.source_file is null
            or files.partition_date > {{ dbt.dateadd('day', -1 * var('lookback_days'), 'newest.partition_date') }}
        order by files.source_file
    {%- endset -%}
    {{ return(run_query(selection_query).columns[0].values() | list) }}
{% endmacro %}
