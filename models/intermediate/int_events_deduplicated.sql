-- One row per distinct accepted event (rule 5). Redelivered copies share a
-- meta.id; the copy kept is the earliest by enrollment time, then raw text.
with

accepted_lines as (
    select * from {{ ref('int_event_lines_classified') }}
    where rejection_reason is null
),

ranked as (
    select
        *,
        row_number() over (
            partition by event_key
            order by enrolled_at, raw_line, source_file
        ) as copy_rank,
        count(*) over (partition by event_key) as line_count
    from accepted_lines
),

deduplicated as (
    select
        event_key,
        meta_id,
        source_file,
        cohort,
        wiki,
        user_id,
        enrolled_at,
        assignments,
        line_count
    from ranked
    where copy_rank = 1
)

select * from deduplicated
