{{ config(full_refresh=is_history_rebuild(), on_schema_change='append_new_columns') }}
-- Stored history (models/state/): the accepted lines of each file version
-- read, one row per distinct text in the file, kept for ever. A run writes
-- the versions it reads and replaces only those (keyed by file and version),
-- so a run that stops half way is repaired by the next, which reads again
-- every version that state_file_reads has not committed. What counts is the
-- version the file log committed last (int_event_files_read_last).
with

files_read as (
    select * from {{ ref('stg_growth_product_interaction__event_files') }}
    where is_read
),

accepted_lines as {{ inline_cte() }} (
    select
        source_file,
        raw_line_md5,
        meta_id,
        cohort,
        wiki,
        user_id,
        enrolled_at,
        assignments,
        singular_experiment,
        singular_variant,
        singular_coordinator
    from {{ ref('int_event_lines_classified') }}
    where rejection_reason is null
),

repeated_texts as (
    -- the few texts that appear more than once in their file, found from
    -- two narrow columns
    select
        line_keys.source_file,
        line_keys.raw_line_md5
    from (
        select
            source_file,
            raw_line_md5
        from accepted_lines
    ) as line_keys
    group by line_keys.source_file, line_keys.raw_line_md5
    having count(*) > 1
),

distinct_lines as (
    -- identical lines of one file are one row, with their number. Only the
    -- repeated texts are grouped (EXPLAIN ANALYZE of a full build at 10M
    -- lines, 2GB: 11.1 s, against 16.9 s for grouping every line).
    select
        accepted_lines.*,
        cast(1 as bigint) as line_count
    from accepted_lines
    left join repeated_texts
        on
            accepted_lines.source_file = repeated_texts.source_file
            and accepted_lines.raw_line_md5 = repeated_texts.raw_line_md5
    where repeated_texts.source_file is null

    union all

    -- the same text has the same fields, so grouping by all of them groups
    -- by text; grouping (not any_value of each field) lets the aggregate
    -- spill to disk within the memory limit
    select
        accepted_lines.*,
        cast(count(*) as bigint) as line_count
    from accepted_lines
    inner join repeated_texts
        on
            accepted_lines.source_file = repeated_texts.source_file
            and accepted_lines.raw_line_md5 = repeated_texts.raw_line_md5
    group by
        accepted_lines.source_file,
        accepted_lines.raw_line_md5,
        accepted_lines.meta_id,
        accepted_lines.cohort,
        accepted_lines.wiki,
        accepted_lines.user_id,
        accepted_lines.enrolled_at,
        accepted_lines.assignments,
        accepted_lines.singular_experiment,
        accepted_lines.singular_variant,
        accepted_lines.singular_coordinator
),

copies as (
    select
        distinct_lines.source_file,
        -- rule 5: one event per meta.id; lines without one are keyed by content
        coalesce(distinct_lines.meta_id, distinct_lines.raw_line_md5) as event_key,
        distinct_lines.raw_line_md5,
        distinct_lines.meta_id,
        distinct_lines.cohort,
        distinct_lines.wiki,
        distinct_lines.user_id,
        distinct_lines.enrolled_at,
        cast(distinct_lines.enrolled_at as date) as enrollment_date,
        distinct_lines.assignments,
        distinct_lines.line_count,
        {{ run_started_timestamp() }} as loaded_at,
        -- added after the first release: on_schema_change appends them to
        -- an older table, where the rows stored before have them null
        distinct_lines.singular_experiment,
        distinct_lines.singular_variant,
        distinct_lines.singular_coordinator,
        files_read.file_version
    from distinct_lines
    inner join files_read
        on distinct_lines.source_file = files_read.source_file
)

select * from copies
