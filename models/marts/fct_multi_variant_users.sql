-- Units seen with more than one variant, per (cohort, experiment, wiki),
-- whatever multi_variant_policy says (this model describes the data, not
-- the counts), with the variant pairs involved as a JSON array.
-- With the var min_cell_size set, a count below it is suppressed; so is
-- total_units when a variant count of the same cohort, experiment and wiki
-- is suppressed in the count marts (the total minus the other variants
-- would give it away), the share when either count is, and the list of
-- pairs when a pair count or multi_variant_units is.
with

enrollments as (
    select * from {{ ref('int_enrollments_first_per_user') }}
),

counted_units as (
    select * from {{ ref('int_enrollments_counted') }}
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
    -- one row per distinct variant of each multi-variant unit, from the
    -- unit's list (not from its events: those grow with the history)
    select
        cohort,
        experiment,
        wiki,
        user_id,
        {{ explode_list('variants_seen') }} as variant
    from enrollments
    where is_multi_variant
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
        -- a JSON array of {first_variant, second_variant, units} objects
        '[' || {{ string_agg_sorted(
            json_variant_pair('first_variant', 'second_variant', 'pair_units'),
            "','"
        ) }} || ']' as variant_pairs,
        max(case when {{ is_below_min_cell_size('pair_units') }} then 1 else 0 end) = 1 as has_small_pair
    from variant_pairs
    group by cohort, experiment, wiki
),

variant_unit_counts as (
    -- the per-variant counts the count marts publish, by first variant and
    -- as counted under multi_variant_policy
    select
        cohort,
        experiment,
        wiki,
        variant,
        count(*) as variant_units
    from enrollments
    group by cohort, experiment, wiki, variant
    union all
    select
        cohort,
        experiment,
        wiki,
        variant,
        count(*) as variant_units
    from counted_units
    group by cohort, experiment, wiki, variant
),

small_variant_groups as (
    select distinct
        cohort,
        experiment,
        wiki
    from variant_unit_counts
    where {{ is_below_min_cell_size('variant_units') }}
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
        coalesce(pair_lists.variant_pairs, '[]') as variant_pairs,
        coalesce(pair_lists.has_small_pair, false) as has_small_pair,
        small_variant_groups.cohort is not null as has_small_variant_count
    from unit_totals
    left join pair_lists
        on
            unit_totals.cohort = pair_lists.cohort
            and unit_totals.experiment = pair_lists.experiment
            and unit_totals.wiki = pair_lists.wiki
    left join small_variant_groups
        on
            unit_totals.cohort = small_variant_groups.cohort
            and unit_totals.experiment = small_variant_groups.experiment
            and unit_totals.wiki = small_variant_groups.wiki
),

small_cells as (
    select
        *,
        {{ is_below_min_cell_size('multi_variant_units') }} as is_multi_variant_units_small,
        ({{ is_below_min_cell_size('total_units') }} or has_small_variant_count) as is_total_units_small
    from final
),

published as (
    select
        cohort,
        experiment,
        wiki,
        {{ published_count('multi_variant_units') }},
        {{ published_count('total_units', also_when='has_small_variant_count') }},
        case
            when not (is_multi_variant_units_small or is_total_units_small) then multi_variant_share
        end as multi_variant_share,
        case when not (is_multi_variant_units_small or has_small_pair) then variant_pairs end as variant_pairs,
        (is_multi_variant_units_small or has_small_pair) as variant_pairs_is_suppressed
    from small_cells
)

select * from published
