{{ config(full_refresh=is_history_rebuild()) }}
-- Stored history (models/state/): the file log, one row per file version
-- read, with where its lines went. It reads the other state models, so it
-- commits only after everything the version fed is stored: a run stopped
-- before this model leaves the version uncommitted, and the next run reads
-- it again (macro event_files_to_read, through the source
-- growth_enrollments_state.state_file_reads). Kept for ever: it outlives
-- the files.
with

files_read as (
    select * from {{ ref('stg_growth_product_interaction__event_files') }}
    where is_read
),

event_lines as (
    select * from {{ ref('int_event_lines_classified') }}
),

event_copies as (
    select * from {{ ref('state_event_copies') }}
),

rejected_lines as (
    select * from {{ ref('state_rejected_lines') }}
),

raw_lines_by_file as (
    select
        source_file,
        count(*) as raw_lines
    from event_lines
    group by source_file
),

accepted_by_version as (
    select
        event_copies.source_file,
        event_copies.file_version,
        sum(event_copies.line_count) as accepted_lines
    from event_copies
    inner join files_read
        on event_copies.source_file = files_read.source_file and event_copies.file_version = files_read.file_version
    group by event_copies.source_file, event_copies.file_version
),

rejected_by_version as (
    select
        rejected_lines.source_file,
        rejected_lines.file_version,
        count(*) as rejected_lines
    from rejected_lines
    inner join files_read
        on rejected_lines.source_file = files_read.source_file and rejected_lines.file_version = files_read.file_version
    group by rejected_lines.source_file, rejected_lines.file_version
),

file_reads as (
    select
        files_read.source_file,
        files_read.file_size,
        files_read.file_modified_at,
        files_read.partition_date,
        cast(coalesce(raw_lines_by_file.raw_lines, 0) as bigint) as raw_lines,
        cast(coalesce(rejected_by_version.rejected_lines, 0) as bigint) as rejected_lines,
        cast(coalesce(accepted_by_version.accepted_lines, 0) as bigint) as accepted_lines,
        files_read.read_error,
        {{ run_started_timestamp() }} as loaded_at,
        files_read.file_version
    from files_read
    left join raw_lines_by_file
        on files_read.source_file = raw_lines_by_file.source_file
    left join accepted_by_version
        on files_read.source_file = accepted_by_version.source_file
    left join rejected_by_version
        on files_read.source_file = rejected_by_version.source_file
)

select * from file_reads
