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
-- An incremental run ranks the copies it reads together with every stored
-- copy of the same events and of the same enrollment dates, and outputs all
-- of them: each event it outputs is complete (a keyed delete+insert is
-- exact) and so is each date it reads (for a date-partitioned overwrite).
with

-- The CTEs over the lines are read several times below: each reader scans
-- the table again rather than have them stored first (inline_cte).
accepted_lines as {{ inline_cte() }} (
    select * from {{ ref('int_event_lines_classified') }}
    where rejection_reason is null
),

read_copies as {{ inline_cte() }} (
    select
        -- rule 5: one event per meta.id; lines without one are keyed by content
        coalesce(meta_id, raw_line_md5) as event_key,
        raw_line_md5,
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
    -- the dates read, and every date holding a stored copy of an event read
    select read_copies.enrollment_date from read_copies
    union
    select stored.enrollment_date
    from {{ this }} as stored
    where stored.event_key in (select read_copies.event_key from read_copies)
),

touched_keys as (
    -- the events read, and every event stored on a touched date
    select read_copies.event_key from read_copies
    union
    select stored.event_key
    from {{ this }} as stored
    where stored.enrollment_date in (select touched_dates.enrollment_date from touched_dates)
),

stored_copies as (
    -- every stored copy of a touched event, whatever its date
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
    where event_key in (select touched_keys.event_key from touched_keys)
),

{% endif %}

candidates as {{ inline_cte() }} (
    select * from read_copies
    {% if is_incremental() %}
        union all
        select * from stored_copies
    {% endif %}
),

multi_copy_keys as (
    -- most events have one copy: only the others need ranking
    select event_key
    from candidates
    group by event_key
    having count(*) > 1
),

single_copies as (
    select
        candidates.event_key,
        candidates.raw_line_md5,
        candidates.meta_id,
        candidates.source_file,
        candidates.cohort,
        candidates.wiki,
        candidates.user_id,
        candidates.enrolled_at,
        candidates.enrollment_date,
        candidates.assignments,
        true as is_kept
    from candidates
    left join multi_copy_keys
        on candidates.event_key = multi_copy_keys.event_key
    where multi_copy_keys.event_key is null
),

multi_copies as (
    select candidates.*
    from candidates
    inner join multi_copy_keys
        on candidates.event_key = multi_copy_keys.event_key
),

distinct_texts as (
    -- identical copies (even two lines of one file) collapse to one row
    select *
    from (
        select
            *,
            row_number() over (
                partition by event_key, raw_line_md5
                order by source_file
            ) as text_copy_rank
        from multi_copies
    ) as numbered
    where text_copy_rank = 1
),

ranked_copies as (
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
        row_number() over (
            partition by event_key
            order by enrolled_at, raw_line_md5, source_file
        ) = 1 as is_kept
    from distinct_texts
),

deduplicated as (
    select
        *,
        {{ run_started_timestamp() }} as loaded_at
    from (
        select * from single_copies
        union all
        select * from ranked_copies
    ) as copies
)

select * from deduplicated
