-- Per source file, as last read: every raw line is rejected, the kept copy
-- of a distinct accepted event, or a duplicate copy of one. Checked by the
-- test assert_event_lines_reconcile. Files deleted since stay, from the log.
with

file_log as (
    select * from {{ ref('int_source_files_loaded') }}
),

rejected_events as (
    select * from {{ ref('fct_rejected_events') }}
),

events as (
    select * from {{ ref('int_events_deduplicated') }}
    where is_kept
),

last_read as (
    select
        source_file,
        raw_lines,
        accepted_lines,
        row_number() over (partition by source_file order by loaded_at desc) as read_rank
    from file_log
),

rejected_by_file as (
    select
        source_file,
        count(*) as rejected_lines
    from rejected_events
    group by source_file
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
        last_read.source_file,
        cast(last_read.raw_lines as bigint) as raw_lines,
        cast(coalesce(rejected_by_file.rejected_lines, 0) as bigint) as rejected_lines,
        cast(coalesce(events_by_file.accepted_events, 0) as bigint) as accepted_events,
        cast(last_read.accepted_lines - coalesce(events_by_file.accepted_events, 0) as bigint) as duplicate_lines
    from last_read
    left join rejected_by_file on last_read.source_file = rejected_by_file.source_file
    left join events_by_file on last_read.source_file = events_by_file.source_file
    where last_read.read_rank = 1
)

select * from reconciled
