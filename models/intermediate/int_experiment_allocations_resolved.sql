-- The expected allocations the health models test against: the seed
-- experiment_allocations, or the table named by the var
-- experiment_allocations_relation. One row per (experiment, wiki, window,
-- variant), with a key naming the window (its dates may be null: open ends).
{%- set allocations_relation = experiment_health_var('experiment_allocations_relation') %}
with

allocations as (
    {% if not allocations_relation -%}
        select * from {{ ref('experiment_allocations') }}
    {%- else -%}
        select * from {{ allocations_relation }}
    {%- endif %}
),

typed as (
    select
        cast(experiment as {{ dbt.type_string() }}) as experiment,
        cast(wiki as {{ dbt.type_string() }}) as wiki,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(variant as {{ dbt.type_string() }}) as variant,
        cast(expected_share as double) as expected_share
    from allocations
),

keyed as (
    select
        experiment,
        wiki,
        valid_from,
        valid_to,
        variant,
        expected_share,
        -- a null-safe join key for the window
        experiment || '|' || wiki
        || '|' || coalesce(cast(valid_from as {{ dbt.type_string() }}), '')
        || '|' || coalesce(cast(valid_to as {{ dbt.type_string() }}), '') as allocation_window_key
    from typed
)

select * from keyed
