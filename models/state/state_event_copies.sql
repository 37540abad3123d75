{{ config(full_refresh=is_history_rebuild(), on_schema_change='append_new_columns') }}
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

copies as (
    -- identical lines of one file are one row, with their number. The same
    -- text has the same fields, so grouping by all of them groups by text;
    -- grouping (not any_value of each field) lets the aggregate spill to
    -- disk within the memory limit.
    select
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
        cast(count(*) as bigint) as line_count,
        {{ run_started_timestamp() }} as loaded_at,
        -- added after the first release: on_schema_change appends them to
        -- an older table, where the rows stored before have them null
        accepted_lines.singular_experiment,
        accepted_lines.singular_variant,
        accepted_lines.singular_coordinator,
        files_read.file_version
    from accepted_lines
    inner join files_read
        on accepted_lines.source_file = files_read.source_file
    group by
        accepted_lines.source_file,
        files_read.file_version,
        accepted_lines.raw_line_md5,
        accepted_lines.meta_id,
        accepted_lines.cohort,
        accepted_lines.wiki,
        accepted_lines.user_id,
        accepted_lines.enrolled_at,
        accepted_lines.assignments,
        accepted_lines.singular_experiment,
        accepted_lines.singular_variant,
        accepted_lines.singular_coordinator
)

select * from copies
