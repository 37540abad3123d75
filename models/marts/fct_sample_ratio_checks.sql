-- Sample ratio mismatch (SRM) check: per (cohort, experiment, wiki,
-- allocation window), a Pearson chi-square goodness-of-fit test of the users
-- observed per configured variant against the expected shares. One row per
-- variant; the test-level columns repeat on each row of the test.
-- The statistic and status use the true counts. With the var min_cell_size
-- set, an observed_users below it is suppressed, and so are the totals and
-- every statistic of its test (observed_share, Wilson bounds,
-- expected_users, chi_square, p_value): each would give it away. The status
-- is still shown.
with

observations as (
    select * from {{ ref('int_sample_ratio_observations') }}
),

test_totals as (
    select
        *,
        cast(sum(case when is_configured then observed_users else 0 end) over (
            partition by cohort, experiment, wiki, valid_from, valid_to
        ) as bigint) as total_users,
        cast(sum(case when is_configured then 0 else observed_users end) over (
            partition by cohort, experiment, wiki, valid_from, valid_to
        ) as bigint) as unexpected_users,
        cast(sum(case when is_configured then 1 else 0 end) over (
            partition by cohort, experiment, wiki, valid_from, valid_to
        ) as integer) as configured_variant_count
    from observations
),

expected as (
    select
        *,
        case when is_configured then cast(total_users as double) * expected_share end as expected_users,
        case
            when is_configured and total_users > 0
                then cast(observed_users as double) / cast(total_users as double)
        end as observed_share
    from test_totals
),

chi_square_terms as (
    -- Pearson: (observed - expected)^2 / expected per configured variant
    -- (no division when the test has no users: it has no statistic then)
    select
        *,
        case
            when is_configured and expected_users > 0
                then (cast(observed_users as double) - expected_users)
                    * (cast(observed_users as double) - expected_users) / expected_users
            else 0e0
        end as chi_square_term
    from expected
),

statistic as (
    select
        *,
        case
            when total_users > 0
                then sum(chi_square_term) over (partition by cohort, experiment, wiki, valid_from, valid_to)
        end as chi_square,
        configured_variant_count - 1 as degrees_of_freedom
    from chi_square_terms
),

p_values as (
    select
        *,
        case
            when chi_square is not null and degrees_of_freedom >= 1
                then {{ chi_square_p_value('chi_square', 'degrees_of_freedom') }}
        end as p_value
    from statistic
),

checked as (
    select
        cohort,
        experiment,
        wiki,
        valid_from,
        valid_to,
        variant,
        is_configured,
        observed_users,
        expected_share,
        observed_share,
        case when is_configured then {{ wilson_score_bound('observed_users', 'total_users', 'lower') }} end
            as observed_share_wilson_lower,
        case when is_configured then {{ wilson_score_bound('observed_users', 'total_users', 'upper') }} end
            as observed_share_wilson_upper,
        expected_users,
        total_users,
        unexpected_users,
        chi_square,
        degrees_of_freedom,
        p_value,
        case
            when unexpected_users > 0 then 'unexpected_variants'
            when total_users < {{ experiment_health_var('srm_min_users') }} then 'insufficient_data'
            when p_value < {{ experiment_health_var('srm_p_threshold') }} then 'srm'
            else 'ok'
        end as status
    from p_values
),

small_cells as (
    select
        *,
        max(case when {{ is_below_min_cell_size('observed_users') }} then 1 else 0 end) over (
            partition by cohort, experiment, wiki, valid_from, valid_to
        ) = 1 as has_small_cell
    from checked
),

published as (
    select
        cohort,
        experiment,
        wiki,
        valid_from,
        valid_to,
        variant,
        is_configured,
        {{ published_count('observed_users') }},
        expected_share,
        case when not has_small_cell then observed_share end as observed_share,
        case when not has_small_cell then observed_share_wilson_lower end as observed_share_wilson_lower,
        case when not has_small_cell then observed_share_wilson_upper end as observed_share_wilson_upper,
        case when not has_small_cell then expected_users end as expected_users,
        {{ published_count('total_users', also_when='has_small_cell') }},
        {{ published_count('unexpected_users', also_when='has_small_cell') }},
        case when not has_small_cell then chi_square end as chi_square,
        degrees_of_freedom,
        case when not has_small_cell then p_value end as p_value,
        status
    from small_cells
)

select * from published
