-- The units every count uses: the units of fct_experiment_enrollments that
-- the var multi_variant_policy keeps. `first` keeps every unit in its first
-- variant; `exclude` drops the units seen with more than one variant. This
-- is the only place the policy is applied.
with

enrollments as (
    select * from {{ ref('fct_experiment_enrollments') }}
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
        is_multi_variant
    from enrollments
    {% if experiment_health_var('multi_variant_policy') == 'exclude' -%}
        where not is_multi_variant
    {%- endif %}
)

select * from counted
