{%- set watermark = recomputed_watermark() -%}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_recomputed_files() }}",
) }}
-- Every raw line that was not accepted, with the first rule it broke: the
-- rejected lines stored for each file as last read (a file read again
-- replaces its earlier lines; files deleted since keep theirs).
-- Incremental on DuckDB, per file: a run rewrites the lines of the files
-- whose version the file log committed since its last run (macro
-- recomputed_watermark), after its pre-hook deleted them. Rebuilt whole,
-- every run wrote the raw text of every rejected line ever read again (at
-- 10M lines of history, 77k lines: 0.6 to 1.8 s of writing and
-- checkpointing per run).
-- depends_on: {{ ref('state_file_reads') }}
with

rejected_lines as (
    select * from {{ ref('state_rejected_lines') }}
),

files_read_last as (
    select * from {{ ref('int_event_files_read_last') }}
    {% if is_incremental() %}
        where source_file in ({{ files_committed_since(watermark) }})
    {% endif %}
),

counted as (
    select
        rejected_lines.rejected_line_id,
        rejected_lines.reason,
        rejected_lines.source_file,
        rejected_lines.line_occurrence,
        rejected_lines.meta_id,
        rejected_lines.raw_line,
        {{ run_started_timestamp() }} as computed_at
    from rejected_lines
    inner join files_read_last
        on
            rejected_lines.source_file = files_read_last.source_file
            and rejected_lines.file_version = files_read_last.file_version
)

select * from counted
