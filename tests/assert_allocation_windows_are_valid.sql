-- Fails for every allocation the sample ratio check cannot use: a share not
-- in (0, 1], a window that ends before it starts, or two windows of one
-- experiment and wiki that share a day (a unit would be tested twice).
with

allocations as (
    select * from {{ ref('int_experiment_allocations_resolved') }}
),

windows as (
    select distinct
        experiment,
        wiki,
        valid_from,
        valid_to,
        allocation_window_key
    from allocations
),

bad_shares as (
    select
        experiment,
        wiki,
        valid_from,
        valid_to,
        'expected_share of ' || variant || ' is not in (0, 1]' as problem
    from allocations
    where not (expected_share > 0 and expected_share <= 1)
),

bad_windows as (
    select
        experiment,
        wiki,
        valid_from,
        valid_to,
        'valid_to is before valid_from' as problem
    from windows
    where valid_to < valid_from
),

overlapping_windows as (
    select
        earlier.experiment,
        earlier.wiki,
        earlier.valid_from,
        earlier.valid_to,
        'overlaps the window ' || later.allocation_window_key as problem
    from windows as earlier
    inner join windows as later
        on
            earlier.experiment = later.experiment
            and earlier.wiki = later.wiki
            and earlier.allocation_window_key < later.allocation_window_key
            and (earlier.valid_to is null or later.valid_from is null or later.valid_from <= earlier.valid_to)
            and (later.valid_to is null or earlier.valid_from is null or earlier.valid_from <= later.valid_to)
)

select * from bad_shares
union all
select * from bad_windows
union all
select * from overlapping_windows
