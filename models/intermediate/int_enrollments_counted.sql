{%- set multi_variant_policy = experiment_health_var('multi_variant_policy') -%}
{%- set forced_assignment_policy = experiment_health_var('forced_assignment_policy') -%}
-- The units every count uses: the enrolled units that the vars
-- multi_variant_policy and forced_assignment_policy keep. `first` keeps
-- every unit in its first variant; `exclude` drops the units seen with more
-- than one variant. forced_assignment_policy `exclude` drops the units with
-- a forced assignment. This is the only place the policies are applied.
with

enrollments as (
    select * from {{ ref('int_enrollments_first_per_user') }}
),

counted as (
    select
        cohort,
        experiment,
        wiki,
        user_id,
        variant,
        enrolled_at,
        cast(enrolled_at as date) as enrollment_date,
        event_count,
        is_multi_variant,
        computed_at
    from enrollments
    where
        {{ 'not is_multi_variant' if multi_variant_policy == 'exclude' else 'true' }}
        and {{ 'not has_forced_assignment' if forced_assignment_policy == 'exclude' else 'true' }}
)

select * from counted
