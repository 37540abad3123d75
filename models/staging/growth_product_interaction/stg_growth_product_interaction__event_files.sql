-- One row per raw event file matched by events_path, as listed at the start
-- of this dbt command (and per folder reached through a symbolic link, which
-- is not read): the only reader of the source raw_event_files.
with

raw_event_files as (
    select * from {{ source('growth_product_interaction', 'raw_event_files') }}
),

final as (
    select
        source_file,
        file_size,
        file_modified_at,
        partition_date,
        file_version,
        is_read,
        read_error
    from raw_event_files
)

select * from final
