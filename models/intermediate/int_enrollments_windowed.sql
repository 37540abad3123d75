{%- set inputs = enrollments_windowed_inputs_fingerprint() -%}
{%- set watermark = recomputed_watermark(inputs) -%}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_recomputed_users(enrollments_windowed_inputs_fingerprint()) }}",
) }}
-- Every counted unit (int_enrollments_counted, so multi_variant_policy
-- applies) with the allocation window of its experiment and wiki that holds
-- the UTC date of its enrolled_at (windows of one experiment and wiki never
-- share a day), or none, and why: `no_allocation` (the experiment and wiki
-- have no allocation at all) or `outside_allocation_windows`. A
-- page-impression unit is a new account when its user has an
-- account-creation unit in the same experiment and wiki (any policy, any
-- window: the rule of fct_page_impression_variant_counts).
-- Also the days the daily series of the unit's experiment and wiki may cover
-- (first and last day of its allocation windows, an open end or no window
-- at all replaced by the vars daily_series_start / daily_series_end) and
-- whether the unit's enrollment date is among them: fct_daily_enrollments
-- counts only those, fct_enrollments_outside_daily_series the others.
-- Incremental on DuckDB, per user, like int_enrollments_first_per_user;
-- every row is recomputed when the allocations or the vars it reads change
-- (column inputs_fingerprint).
-- depends_on: {{ ref('int_enrollment_users_changed') }}
with

units as (
    select * from {{ ref('int_enrollments_counted') }} as units  -- noqa: AL05
    {% if is_incremental() %}
        where {{ is_user_recomputed_since('units', watermark) }}
    {% endif %}
),

enrollments as (
    select * from {{ ref('int_enrollments_first_per_user') }} as enrollments  -- noqa: AL05
    {% if is_incremental() %}
        where {{ is_user_recomputed_since('enrollments', watermark) }}
    {% endif %}
),

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

allocated_wikis as (
    select
        experiment,
        wiki,
        -- an open end (null) of any window leaves that end to the var
        case when count(*) = count(valid_from) then min(valid_from) end as first_window_date,
        case when count(*) = count(valid_to) then max(valid_to) end as last_window_date
    from windows
    group by experiment, wiki
),

account_creation_units as (
    select
        experiment,
        wiki,
        user_id
    from enrollments
    where cohort = 'account_creation'
),

windowed as (
    select
        units.cohort,
        units.experiment,
        units.wiki,
        units.user_id,
        units.variant,
        units.enrolled_at,
        units.enrollment_date,
        units.event_count,
        windows.valid_from,
        windows.valid_to,
        windows.allocation_window_key,
        case
            when windows.allocation_window_key is not null then cast(null as {{ dbt.type_string() }})
            when allocated_wikis.wiki is null then 'no_allocation'
            else 'outside_allocation_windows'
        end as outside_reason,
        account_creation_units.user_id is not null as is_new_account,
        coalesce(
            allocated_wikis.first_window_date,
            cast('{{ experiment_health_var("daily_series_start") }}' as date)
        ) as daily_series_start_date,
        coalesce(
            allocated_wikis.last_window_date,
            cast('{{ experiment_health_var("daily_series_end") }}' as date)
        ) as daily_series_end_date
    from units
    left join windows
        on
            units.experiment = windows.experiment
            and units.wiki = windows.wiki
            and (windows.valid_from is null or units.enrollment_date >= windows.valid_from)
            and (windows.valid_to is null or units.enrollment_date <= windows.valid_to)
    left join allocated_wikis
        on
            units.experiment = allocated_wikis.experiment
            and units.wiki = allocated_wikis.wiki
    left join account_creation_units
        on
            units.experiment = account_creation_units.experiment
            and units.wiki = account_creation_units.wiki
            and units.user_id = account_creation_units.user_id
),

bounded as (
    select
        *,
        enrollment_date >= daily_series_start_date
        and enrollment_date <= daily_series_end_date as is_in_daily_series,
        '{{ inputs }}' as inputs_fingerprint,
        {{ run_started_timestamp() }} as computed_at
    from windowed
)

select * from bounded
