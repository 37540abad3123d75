-- One row per raw file ever read: the version the file log committed last,
-- the one whose lines count. Files deleted since keep their row.
with

file_reads as (
    select * from {{ ref('state_file_reads') }}
),

ranked as (
    select
        *,
        row_number() over (partition by source_file order by loaded_at desc, file_version asc) as read_rank
    from file_reads
),

last_read as (
    select
        source_file,
        file_version,
        file_size,
        file_modified_at,
        partition_date,
        raw_lines,
        rejected_lines,
        accepted_lines,
        read_error,
        loaded_at
    from ranked
    where read_rank = 1
)

select * from last_read
