-- The raw files, as last read, of which some part could not be read, with
-- the reader's error: nothing unreadable is dropped in silence. The warning
-- test assert_no_unreadable_event_files names them on every build. A file
-- is read again when it changes.
with

files_read_last as (
    select * from {{ ref('int_event_files_read_last') }}
),

unreadable as (
    select
        source_file,
        file_size,
        file_modified_at,
        cast(raw_lines as bigint) as lines_read,
        read_error
    from files_read_last
    where read_error is not null
)

select * from unreadable
