-- Per source file: every raw line is rejected, the kept copy of an accepted
-- event, or a duplicate copy of one. Checked by assert_event_lines_reconcile.
with

event_lines as (
    select * from {{ ref('stg_growth_product_interaction__event_lines') }}
),

rejected_events as (
    select * from {{ ref('fct_rejected_events') }}
),

events as (
    select * from {{ ref('int_events_deduplicated') }}
),

accepted_lines as (
    select * from {{ ref('int_event_lines_classified') }}
    where rejection_reason is null
),

raw_by_file as (
    select
        source_file,
        count(*) as raw_lines
    from event_lines
    group by source_file
),

rejected_by_file as (
    select
        source_file,
        count(*) as rejected_lines
    from rejected_events
    group by source_file
),

events_by_file as (
    select
        source_file,
        count(*) as accepted_events
    from events
    group by source_file
),

accepted_by_file as (
    select
        source_file,
        count(*) as accepted_lines
    from accepted_lines
    group by source_file
),

reconciled as (
    select
        raw_by_file.source_file,
        raw_by_file.raw_lines,
        coalesce(rejected_by_file.rejected_lines, 0) as rejected_lines,
        coalesce(events_by_file.accepted_events, 0) as accepted_events,
        coalesce(accepted_by_file.accepted_lines, 0)
        - coalesce(events_by_file.accepted_events, 0) as duplicate_lines
    from raw_by_file
    left join rejected_by_file on raw_by_file.source_file = rejected_by_file.source_file
    left join events_by_file on raw_by_file.source_file = events_by_file.source_file
    left join accepted_by_file on raw_by_file.source_file = accepted_by_file.source_file
)

select * from reconciled
