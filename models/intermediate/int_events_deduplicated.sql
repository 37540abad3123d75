{{ config(
    materialized='incremental',
    unique_key='event_key',
    full_refresh=is_history_rebuild(),
) }}
-- One row per distinct accepted event (rule 5), kept for ever: raw files are
-- deleted after 90 days, this table is not. Copies of one event share a
-- meta.id; the copy kept is the earliest by enrollment time, then by the md5
-- of its text, then by file path. An incremental run re-ranks the copies it
-- reads against the kept ones and rewrites whole enrollment dates: every
-- date it touches is output complete, so a date-partitioned overwrite is as
-- exact as a keyed one.
with

accepted_lines as (
    select * from {{ ref('int_event_lines_classified') }}
    where rejection_reason is null
),

read_copies as (
    select
        event_key,
        meta_id,
        source_file,
        md5(raw_line) as raw_line_md5,
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
    select enrollment_date from read_copies
    union
    select kept.enrollment_date
    from {{ this }} as kept
    where kept.event_key in (select read_copies.event_key from read_copies)
),

kept_copies as (
    select
        event_key,
        meta_id,
        source_file,
        raw_line_md5,
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
        select * from kept_copies
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by event_key
            order by enrolled_at, raw_line_md5, source_file
        ) as copy_rank
    from candidates
),

deduplicated as (
    select
        event_key,
        meta_id,
        source_file,
        raw_line_md5,
        cohort,
        wiki,
        user_id,
        enrolled_at,
        enrollment_date,
        assignments
    from ranked
    where copy_rank = 1
)

select * from deduplicated
