{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=is_history_rebuild(),
    on_schema_change='fail',
) }}
-- Every raw line that was not accepted, with the first rule it broke. Kept
-- for ever: a re-read file adds only the lines not recorded yet.
with

event_lines as (
    select * from {{ ref('int_event_lines_classified') }}
    where rejection_reason is not null
),

numbered as (
    -- identical lines of one file are told apart by their occurrence
    select
        source_file,
        raw_line,
        rejection_reason as reason,
        meta_id,
        cast(row_number() over (
            partition by source_file, raw_line
            order by source_file
        ) as bigint) as line_occurrence
    from event_lines
),

identified as (
    select
        md5(source_file || chr(10) || raw_line || chr(10) || cast(line_occurrence as {{ dbt.type_string() }}))
            as rejected_line_id,
        reason,
        source_file,
        line_occurrence,
        meta_id,
        raw_line
    from numbered
),

new_rejections as (
    select * from identified
    {% if is_incremental() %}
        where rejected_line_id not in (select recorded.rejected_line_id from {{ this }} as recorded)
    {% endif %}
)

select * from new_rejections
