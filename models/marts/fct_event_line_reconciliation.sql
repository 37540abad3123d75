-- Per source file, as last read: every raw line is rejected, the kept copy
-- of a distinct accepted event, or a duplicate copy of one. Checked by the
-- test assert_event_lines_reconcile. Files deleted since stay, from the log.
with

files_read_last as (
    select * from {{ ref('int_event_files_read_last') }}
),

events as (
    select * from {{ ref('int_events_deduplicated') }}
    where is_kept
),

events_by_file as (
    select
        source_file,
        count(*) as accepted_events
    from events
    group by source_file
),

reconciled as (
    select
        files_read_last.source_file,
        cast(files_read_last.raw_lines as bigint) as raw_lines,
        cast(files_read_last.rejected_lines as bigint) as rejected_lines,
        cast(coalesce(events_by_file.accepted_events, 0) as bigint) as accepted_events,
        cast(files_read_last.accepted_lines - coalesce(events_by_file.accepted_events, 0) as bigint)
            as duplicate_lines
    from files_read_last
    left join events_by_file on files_read_last.source_file = events_by_file.source_file
)

select * from reconciled
