{%- set watermark = recomputed_watermark() -%}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_recomputed_users() }}",
) }}
-- One row per enrolled unit (cohort, experiment, wiki, user_id): the variant
-- of its first enrollment, when it happened, and how it was seen since.
-- Incremental on DuckDB, per user, like int_enrollments_first_per_user.
-- depends_on: {{ ref('int_enrollment_users_changed') }}
with

first_enrollments as (
    select * from {{ ref('int_enrollments_first_per_user') }} as first_enrollments  -- noqa: AL05
    {% if is_incremental() %}
        where {{ is_user_recomputed_since('first_enrollments', watermark) }}
    {% endif %}
),

final as (
    select
        cohort,
        experiment,
        wiki,
        user_id,
        variant,
        enrolled_at,
        event_count,
        variant_count,
        is_multi_variant,
        has_singular_variant_conflict,
        has_forced_assignment,
        {{ run_started_timestamp() }} as computed_at
    from first_enrollments
)

select * from final
