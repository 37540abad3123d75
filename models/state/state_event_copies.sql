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

copies as (
    -- identical lines of one file are one row, with their number (the same
    -- text has the same fields: any value of a group is its value)
    select
        accepted_lines.source_file,
        -- rule 5: one event per meta.id; lines without one are keyed by content
        {{ dbt.any_value('coalesce(accepted_lines.meta_id, accepted_lines.raw_line_md5)') }} as event_key,
        accepted_lines.raw_line_md5,
        {{ dbt.any_value('accepted_lines.meta_id') }} as meta_id,
        {{ dbt.any_value('accepted_lines.cohort') }} as cohort,
        {{ dbt.any_value('accepted_lines.wiki') }} as wiki,
        {{ dbt.any_value('accepted_lines.user_id') }} as user_id,
        {{ dbt.any_value('accepted_lines.enrolled_at') }} as enrolled_at,
        cast({{ dbt.any_value('accepted_lines.enrolled_at') }} as date) as enrollment_date,
        {{ dbt.any_value('accepted_lines.assignments') }} as assignments,
        cast(count(*) as bigint) as line_count,
        {{ run_started_timestamp() }} as loaded_at,
        files_read.file_version
    from accepted_lines
    inner join files_read
        on accepted_lines.source_file = files_read.source_file
    group by accepted_lines.source_file, files_read.file_version, accepted_lines.raw_line_md5
)

select * from copies
