-- One row per enrolled unit (cohort, experiment, wiki, user_id): the variant
-- of its first enrollment, when it happened, and how it was seen since.
with

first_enrollments as (
    select * from {{ ref('int_enrollments_first_per_user') }}
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
        has_forced_assignment
    from first_enrollments
)

select * from final
