{%- set watermark = recomputed_watermark() -%}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where event_key in ("
        ~ "{{ events_changed_since(recomputed_watermark()) }}){% endif %}",
) }}
-- The distinct accepted events (rule 5), from the stored copies of the file
-- versions that count: one row per distinct text of an event (identical
-- copies collapse to the first file path); `is_kept` marks the copy that
-- counts: the earliest by enrollment time, then by the md5 of its text,
-- then by file path. Incremental on DuckDB: a run recomputes the events
-- with a copy in a file committed since its last run (macro
-- recomputed_watermark), after its pre-hook deleted them.
-- depends_on: {{ ref('state_file_reads') }}
with

{% if is_incremental() %}
    changed_events as (
        -- the events a file committed since the last run can change: a
        -- small set, joined first so that only their copies are read
        {{ events_changed_since(watermark) }}
    ),
{% endif %}

-- read twice below: on a full build each reader scans the stored copies
-- again (inline_cte); on an incremental one the few changed copies are
-- kept once (EXPLAIN ANALYZE at 2M lines: 0.3 s, against 2.2 s for a
-- filter the planner applied after reading every copy), found by their
-- key before the rest of them is read (late_materialized_rows)
copies as {% if not is_incremental() %}{{ inline_cte() }}{% endif %} (
    select event_copies.*
    {% if is_incremental() %}
        from ({{ late_materialized_rows(
            ref('state_event_copies'),
            'keyed_copies',
            'keyed_copies.event_key in (select changed_events.event_key from changed_events)',
        ) }}) as event_copies
    {% else %}
        from {{ ref('state_event_copies') }} as event_copies
    {% endif %}
    inner join {{ ref('int_event_files_read_last') }} as files_read_last
        on
            event_copies.source_file = files_read_last.source_file
            and event_copies.file_version = files_read_last.file_version
),

multi_copy_keys as (
    -- most events have one copy: only the others need ranking
    {% if is_incremental() %}
        select event_key
        from copies
        group by event_key
        having count(*) > 1
    {% else %}
        -- on a full build, from the key columns alone: counted from
        -- `copies`, DuckDB's optimizer (common_subplan) stores the whole
        -- wide join once for both its readers, whatever inline_cte says
        -- (EXPLAIN ANALYZE at 10M lines, 2GB: 23.2 s against 10.5 s)
        select copy_keys.event_key
        from (
            select
                event_key,
                source_file,
                file_version
            from {{ ref('state_event_copies') }}
        ) as copy_keys
        inner join {{ ref('int_event_files_read_last') }} as files_read_last
            on
                copy_keys.source_file = files_read_last.source_file
                and copy_keys.file_version = files_read_last.file_version
        group by copy_keys.event_key
        having count(*) > 1
    {% endif %}
),

single_copies as (
    select
        copies.event_key,
        copies.raw_line_md5,
        copies.meta_id,
        copies.source_file,
        copies.cohort,
        copies.wiki,
        copies.user_id,
        copies.enrolled_at,
        copies.enrollment_date,
        copies.assignments,
        copies.singular_experiment,
        copies.singular_variant,
        copies.singular_coordinator,
        true as is_kept,
        copies.loaded_at
    from copies
    left join multi_copy_keys
        on copies.event_key = multi_copy_keys.event_key
    where multi_copy_keys.event_key is null
),

distinct_texts as (
    -- identical copies in several files collapse to the first file path
    select *
    from (
        select
            copies.*,
            row_number() over (
                partition by copies.event_key, copies.raw_line_md5
                order by copies.source_file
            ) as text_copy_rank
        from copies
        inner join multi_copy_keys
            on copies.event_key = multi_copy_keys.event_key
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
        singular_experiment,
        singular_variant,
        singular_coordinator,
        row_number() over (
            partition by event_key
            order by enrolled_at, raw_line_md5, source_file
        ) = 1 as is_kept,
        loaded_at
    from distinct_texts
),

deduplicated as (
    select
        *,
        {{ run_started_timestamp() }} as computed_at
    from (
        select * from single_copies
        union all
        select * from ranked_copies
    ) as copies
)

select * from deduplicated
