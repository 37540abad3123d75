-- Fails for every unit of fct_experiment_enrollments that
-- int_enrollments_counted keeps against multi_variant_policy and
-- forced_assignment_policy or drops against them, and for every counted unit
-- that is not a unit at all. Checks the users with a row in either model
-- written since the last checked build (macro rows_to_check), all of their
-- rows; every user with var check_all_history.
{%- set scope = rows_to_check('computed_at') %}
{%- set policy = experiment_health_var('multi_variant_policy') %}
{%- set forced_policy = experiment_health_var('forced_assignment_policy') %}
with

{% if scope %}
    users_to_check as (
        select wiki, user_id from {{ ref('fct_experiment_enrollments') }}
        where {{ scope }}
        union
        select wiki, user_id from {{ ref('int_enrollments_counted') }}
        where {{ scope }}
    ),
{% endif %}

enrollments as (
    select * from {{ ref('fct_experiment_enrollments') }} as enrollments  -- noqa: AL05
    {% if scope %}
        where exists (
            select 1 from users_to_check
            where users_to_check.wiki = enrollments.wiki and users_to_check.user_id = enrollments.user_id
        )
    {% endif %}
),

counted as (
    select * from {{ ref('int_enrollments_counted') }} as counted  -- noqa: AL05
    {% if scope %}
        where exists (
            select 1 from users_to_check
            where users_to_check.wiki = counted.wiki and users_to_check.user_id = counted.user_id
        )
    {% endif %}
),

expected as (
    select
        cohort,
        experiment,
        wiki,
        user_id,
        variant
    from enrollments
    where
        {% if policy == 'exclude' -%} not is_multi_variant {%- else -%} true {%- endif %}
        and {% if forced_policy == 'exclude' -%} not has_forced_assignment {%- else -%} true {%- endif %}
)

select
    coalesce(expected.cohort, counted.cohort) as cohort,
    coalesce(expected.experiment, counted.experiment) as experiment,
    coalesce(expected.wiki, counted.wiki) as wiki,
    coalesce(expected.user_id, counted.user_id) as user_id,
    expected.variant as expected_variant,
    counted.variant as counted_variant
from expected
full outer join counted
    on
        expected.cohort = counted.cohort
        and expected.experiment = counted.experiment
        and expected.wiki = counted.wiki
        and expected.user_id = counted.user_id
where
    expected.user_id is null
    or counted.user_id is null
    or expected.variant <> counted.variant
