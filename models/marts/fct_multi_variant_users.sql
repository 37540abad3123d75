-- Units seen with more than one variant, per (cohort, experiment, wiki),
-- whatever multi_variant_policy says (this model describes the data, not
-- the counts), with the variant pairs involved.
with

enrollments as (
    select * from {{ ref('fct_experiment_enrollments') }}
),

assignments as (
    select * from {{ ref('int_event_assignments_unnested') }}
),

unit_totals as (
    select
        cohort,
        experiment,
        wiki,
        cast(count(*) as bigint) as total_units,
        cast(sum(case when is_multi_variant then 1 else 0 end) as bigint) as multi_variant_units
    from enrollments
    group by cohort, experiment, wiki
),

multi_variant_unit_variants as (
    select distinct
        enrollments.cohort,
        enrollments.experiment,
        enrollments.wiki,
        enrollments.user_id,
        assignments.variant
    from enrollments
    inner join assignments
        on
            enrollments.cohort = assignments.cohort
            and enrollments.experiment = assignments.experiment
            and enrollments.wiki = assignments.wiki
            and enrollments.user_id = assignments.user_id
    where enrollments.is_multi_variant
),

variant_pairs as (
    -- each unordered pair of variants one unit was seen with
    select
        first_variants.cohort,
        first_variants.experiment,
        first_variants.wiki,
        first_variants.variant as first_variant,
        second_variants.variant as second_variant,
        count(*) as pair_units
    from multi_variant_unit_variants as first_variants
    inner join multi_variant_unit_variants as second_variants
        on
            first_variants.cohort = second_variants.cohort
            and first_variants.experiment = second_variants.experiment
            and first_variants.wiki = second_variants.wiki
            and first_variants.user_id = second_variants.user_id
            and first_variants.variant < second_variants.variant
    group by
        first_variants.cohort,
        first_variants.experiment,
        first_variants.wiki,
        first_variants.variant,
        second_variants.variant
),

pair_lists as (
    select
        cohort,
        experiment,
        wiki,
        {{ string_agg_sorted(
            "first_variant || '|' || second_variant || ': ' || cast(pair_units as " ~ dbt.type_string() ~ ")",
            "', '"
        ) }} as variant_pairs
    from variant_pairs
    group by cohort, experiment, wiki
),

final as (
    select
        unit_totals.cohort,
        unit_totals.experiment,
        unit_totals.wiki,
        unit_totals.multi_variant_units,
        unit_totals.total_units,
        cast(unit_totals.multi_variant_units as double) / cast(unit_totals.total_units as double)
            as multi_variant_share,
        coalesce(pair_lists.variant_pairs, '') as variant_pairs
    from unit_totals
    left join pair_lists
        on
            unit_totals.cohort = pair_lists.cohort
            and unit_totals.experiment = pair_lists.experiment
            and unit_totals.wiki = pair_lists.wiki
)

select * from final
