-- Fails for every source file whose raw lines are not exactly
-- rejected lines + distinct accepted events + duplicate lines, or whose
-- rejected lines are not all in fct_rejected_events.
with

reconciliation as (
    select * from {{ ref('fct_event_line_reconciliation') }}
),

rejected_by_file as (
    select
        source_file,
        count(*) as rejected_events
    from {{ ref('fct_rejected_events') }}
    group by source_file
)

select
    reconciliation.*,
    coalesce(rejected_by_file.rejected_events, 0) as rows_in_fct_rejected_events
from reconciliation
left join rejected_by_file
    on reconciliation.source_file = rejected_by_file.source_file
where
    reconciliation.raw_lines
    <> reconciliation.rejected_lines + reconciliation.accepted_events + reconciliation.duplicate_lines
    or reconciliation.duplicate_lines < 0
    or reconciliation.rejected_lines <> coalesce(rejected_by_file.rejected_events, 0)
