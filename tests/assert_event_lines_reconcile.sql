-- Fails for every source file whose raw lines are not exactly
-- rejected lines + distinct accepted events + duplicate lines.
select *
from {{ ref('fct_event_line_reconciliation') }}
where raw_lines <> rejected_lines + accepted_events + duplicate_lines
    or duplicate_lines < 0
