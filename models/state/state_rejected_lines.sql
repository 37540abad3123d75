{{ config(full_refresh=is_history_rebuild()) }}
-- Stored history (models/state/): the rejected lines of each file version
-- read, with the first rule each broke and its text, kept for ever. Written
-- and replaced per file version like state_event_copies.
with

files_read as (
    select * from {{ ref('stg_growth_product_interaction__event_files') }}
    where is_read
),

rejected_lines as (
    select * from {{ ref('int_event_lines_classified') }}
    where rejection_reason is not null
),

numbered as (
    -- identical lines of one file are told apart by their occurrence
    select
        files_read.file_version,
        rejected_lines.source_file,
        rejected_lines.raw_line,
        rejected_lines.rejection_reason as reason,
        rejected_lines.meta_id,
        cast(row_number() over (
            partition by rejected_lines.source_file, rejected_lines.raw_line
            order by rejected_lines.source_file
        ) as bigint) as line_occurrence
    from rejected_lines
    inner join files_read
        on rejected_lines.source_file = files_read.source_file
),

identified as (
    select
        md5(source_file || chr(10) || raw_line || chr(10) || cast(line_occurrence as {{ dbt.type_string() }}))
            as rejected_line_id,
        reason,
        source_file,
        line_occurrence,
        meta_id,
        raw_line,
        {{ run_started_timestamp() }} as loaded_at,
        file_version
    from numbered
)

select * from identified
