-- Every raw line that was not accepted, with the first rule it broke: the
-- rejected lines stored for each file as last read (a file read again
-- replaces its earlier lines; files deleted since keep theirs).
with

rejected_lines as (
    select * from {{ ref('state_rejected_lines') }}
),

files_read_last as (
    select * from {{ ref('int_event_files_read_last') }}
),

counted as (
    select
        rejected_lines.rejected_line_id,
        rejected_lines.reason,
        rejected_lines.source_file,
        rejected_lines.line_occurrence,
        rejected_lines.meta_id,
        rejected_lines.raw_line
    from rejected_lines
    inner join files_read_last
        on
            rejected_lines.source_file = files_read_last.source_file
            and rejected_lines.file_version = files_read_last.file_version
)

select * from counted
