{{ config(
    materialized='incremental',
    unique_key='event_key',
    full_refresh=is_history_rebuild(),
) }}
-- The distinct accepted events (rule 5), kept for ever: raw files are deleted
-- after 90 days, this table is not. One row per distinct text of an event
-- (identical copies collapse to the first file path); `is_kept` marks the
-- copy that counts: the earliest by enrollment time, then by the md5 of its
-- text, then by file path. Copies that lost keep their row, so that a later
-- run can tell whose enrollments a replaced copy had changed.
-- An incremental run ranks the copies it reads together with the stored
-- copies of the same enrollment dates and outputs every date it touches
-- complete: a date-partitioned overwrite is then as exact as a keyed one.
with

accepted_lines as (
    select * from {{ ref('int_event_lines_classified') }}
    where rejection_reason is null
),

read_copies as (
    select
        event_key,
        md5(raw_line) as raw_line_md5,
        meta_id,
        source_file,
        cohort,
        wiki,
        user_id,
        enrolled_at,
        cast(enrolled_at as date) as enrollment_date,
        assignments
    from accepted_lines
),

{% if is_incremental() %}

touched_dates as (
    select read_copies.enrollment_date from read_copies
    union
    select stored.enrollment_date
    from {{ this }} as stored
    where stored.event_key in (select read_copies.event_key from read_copies)
),

stored_copies as (
    select
        event_key,
        raw_line_md5,
        meta_id,
        source_file,
        cohort,
        wiki,
        user_id,
        enrolled_at,
        enrollment_date,
        assignments
    from {{ this }}
    where enrollment_date in (select touched_dates.enrollment_date from touched_dates)
),

{% endif %}

candidates as (
    select * from read_copies
    {% if is_incremental() %}
        union all
        select * from stored_copies
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by event_key, raw_line_md5
            order by source_file
        ) as text_copy_rank,
        row_number() over (
            partition by event_key
            order by enrolled_at, raw_line_md5, source_file
        ) as event_copy_rank
    from candidates
),

deduplicated as (
    select
        event_key,
        raw_line_md5,
        meta_id,
        source_file,
        cohort,
        wiki,
        user_id,
        enrolled_at,
        enrollment_date,
        assignments,
        event_copy_rank = 1 as is_kept,
        {{ run_started_timestamp() }} as loaded_at
    from ranked
    where text_copy_rank = 1
)

select * from deduplicated
