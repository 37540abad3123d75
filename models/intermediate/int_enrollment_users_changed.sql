{{ config(
    materialized=('view' if target.type == 'spark' else 'incremental'),
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
) }}
-- A log, one row per user (wiki, user_id) per run that recomputed one of
-- the user's events (macro users_changed_since: the users of the rows
-- int_events_deduplicated computed since the log's last run, and of every
-- copy in a file rewritten since). The models per user
-- (int_enrollments_first_per_user and the models read from it) recompute
-- the users logged after their own watermark, so a run that stopped
-- between two of them is caught up by the next. The first build logs every
-- user. On Spark, where those models are rebuilt whole, nothing reads it:
-- a view.
-- depends_on: {{ ref('state_event_copies') }}, {{ ref('state_file_reads') }}, {{ ref('int_events_deduplicated') }}
with

changed_users as (
    {{ users_changed_since(recomputed_watermark()) }}
),

logged as (
    select
        wiki,
        user_id,
        {{ run_started_timestamp() }} as computed_at
    from changed_users
)

select * from logged
