{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=is_history_rebuild(),
) }}
-- The file log: one row each time a raw file is read, with where its lines
-- went. Append-only, so it outlives the files; the latest read of a file
-- (by loaded_at) is the one that counts.
with

files as (
    select * from {{ ref('stg_growth_product_interaction__event_files') }}
    where is_read
),

event_lines as (
    select * from {{ ref('int_event_lines_classified') }}
),

line_counts as (
    select
        source_file,
        count(*) as raw_lines,
        sum(case when rejection_reason is null then 0 else 1 end) as rejected_lines,
        sum(case when rejection_reason is null then 1 else 0 end) as accepted_lines
    from event_lines
    group by source_file
),

loaded as (
    select
        files.source_file,
        files.file_size,
        files.file_modified_at,
        files.partition_date,
        coalesce(line_counts.raw_lines, 0) as raw_lines,
        coalesce(line_counts.rejected_lines, 0) as rejected_lines,
        coalesce(line_counts.accepted_lines, 0) as accepted_lines,
        {{ run_started_timestamp() }} as loaded_at
    from files
    left join line_counts
        on files.source_file = line_counts.source_file
)

select * from loaded
