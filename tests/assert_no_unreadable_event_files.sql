{{ config(severity='warn') }}
-- Warns with every raw file of which some part could not be read, and why.
select source_file, read_error
from {{ ref('fct_unreadable_event_files') }}
