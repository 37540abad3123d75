{{ config(full_refresh=is_history_rebuild()) }}
-- Stored history (models/state/): the accepted lines of each file version
-- read, one row per distinct text in the file, kept for ever. A run writes
-- the versions it reads and replaces only those (keyed by file and version),
-- so a run that stops half way is repaired by the next, which reads again
-- every version that state_file_reads has not committed. What counts is the
-- version the file log committed last (int_event_files_read_last).
with

files_read as (
    select * from {{ ref('stg_growth_product_interaction__event_files') }}
    where is_read
),

accepted_lines as (
    select * from {{ ref('int_event_lines_classified') }}
    where rejection_reason is null
),

numbered as (
    select
        files_read.file_version,
        accepted_lines.source_file,
        -- rule 5: one event per meta.id; lines without one are keyed by content
        coalesce(accepted_lines.meta_id, accepted_lines.raw_line_md5) as event_key,
        accepted_lines.raw_line_md5,
        accepted_lines.meta_id,
        accepted_lines.cohort,
        accepted_lines.wiki,
        accepted_lines.user_id,
        accepted_lines.enrolled_at,
        cast(accepted_lines.enrolled_at as date) as enrollment_date,
        accepted_lines.assignments,
        count(*) over (partition by accepted_lines.source_file, accepted_lines.raw_line_md5) as line_count,
        row_number() over (
            partition by accepted_lines.source_file, accepted_lines.raw_line_md5
            order by accepted_lines.source_file
        ) as text_rank
    from accepted_lines
    inner join files_read
        on accepted_lines.source_file = files_read.source_file
),

copies as (
    -- identical lines of one file are one row, with their number
    select
        source_file,
        event_key,
        raw_line_md5,
        meta_id,
        cohort,
        wiki,
        user_id,
        enrolled_at,
        enrollment_date,
        assignments,
        cast(line_count as bigint) as line_count,
        {{ run_started_timestamp() }} as loaded_at,
        file_version
    from numbered
    where text_rank = 1
)

select * from copies
