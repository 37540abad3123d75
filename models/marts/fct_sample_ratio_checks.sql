-- Sample ratio mismatch (SRM) check: per (cohort, experiment, wiki,
-- allocation window), a goodness-of-fit test of the users observed per
-- configured variant against the expected shares: the exact binomial test
-- when the window has two configured variants and an expected count below 5
-- (and at most srm_exact_max_users users), else Pearson's chi-square test.
-- One row per variant; the test-level columns repeat on each row of the test.
-- A mismatch (is_srm) is reported whatever else is wrong: the status puts
-- srm first, and has_unexpected_variants is a flag of its own.
-- The statistic and status use the true counts. With the var min_cell_size
-- set, an observed_users below it is suppressed, and so are the totals and
-- every statistic of its test (observed_share, Wilson bounds,
-- expected_users, chi_square, p_value): each would give it away. The status
-- is still shown.
{%- set p_threshold = experiment_health_var('srm_p_threshold') %}
{%- set interval_z = two_sided_normal_quantile(p_threshold) %}
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
        configured_variant_count - 1 as degrees_of_freedom,
        min(case when is_configured then expected_users end) over (
            partition by cohort, experiment, wiki, valid_from, valid_to
        ) as min_expected_users,
        min(case when is_configured then expected_share end) over (
            partition by cohort, experiment, wiki, valid_from, valid_to
        ) as min_expected_share,
        min(case when is_configured then variant end) over (
            partition by cohort, experiment, wiki, valid_from, valid_to
        ) as first_configured_variant
    from chi_square_terms
),

methods as (
    -- Cochran's rule: the chi-square approximation needs every expected
    -- count >= 5. Two variants below it get the exact binomial test; more
    -- variants keep the chi-square test (an exact multinomial test is out of
    -- reach in SQL) and say so in test_method.
    select
        *,
        case
            when
                configured_variant_count = 2
                and min_expected_users < 5e0
                and min_expected_share > 0e0
                and total_users <= {{ experiment_health_var('srm_exact_max_users') }}
                then 'exact_binomial'
            when min_expected_users < 5e0 then 'chi_square_small_expected'
            else 'chi_square'
        end as test_method
    from statistic
),

binomial_tests as (
    -- the exact test's binomial: k users of n in the first configured
    -- variant (by name), each there with probability p
    select
        cohort,
        experiment,
        wiki,
        valid_from,
        valid_to,
        total_users as trials,
        observed_users as successes,
        expected_share as success_share
    from methods
    where
        test_method = 'exact_binomial'
        and variant = first_configured_variant
        and total_users > 0
),

binomial_outcomes as (
    -- one row per possible count 0 .. n of the first variant
    select
        *,
        {{ explode_list(integer_range_list('trials')) }} as outcome
    from binomial_tests
),

binomial_log_coefficients as (
    -- ln C(n, i) = sum over j = 1 .. i of ln(n - j + 1) - ln(j)
    select
        *,
        sum(
            case
                when outcome > 0
                    then ln(cast(trials - outcome + 1 as double)) - ln(cast(outcome as double))
                else 0e0
            end
        ) over (
            partition by cohort, experiment, wiki, valid_from, valid_to
            order by outcome
            rows between unbounded preceding and current row
        ) as log_binomial_coefficient
    from binomial_outcomes
),

binomial_log_probabilities as (
    select
        *,
        log_binomial_coefficient
        + cast(outcome as double) * ln(success_share)
        + cast(trials - outcome as double) * ln(1e0 - success_share) as log_probability
    from binomial_log_coefficients
),

binomial_observed as (
    select
        *,
        max(case when outcome = successes then log_probability end) over (
            partition by cohort, experiment, wiki, valid_from, valid_to
        ) as observed_log_probability
    from binomial_log_probabilities
),

binomial_p_values as (
    -- two-sided: the probability of every count no more likely than the one
    -- observed (relative tolerance 1e-7 for rounding, as scipy.stats.binomtest)
    select
        cohort,
        experiment,
        wiki,
        valid_from,
        valid_to,
        least(1e0, sum(
            case
                when log_probability <= observed_log_probability + ln(1e0 + 1e-7)
                    then exp(log_probability)
                else 0e0
            end
        )) as exact_p_value
    from binomial_observed
    group by cohort, experiment, wiki, valid_from, valid_to
),

p_values as (
    select
        methods.*,
        case
            when methods.test_method = 'exact_binomial' and methods.total_users > 0
                then binomial_p_values.exact_p_value
            when methods.chi_square is not null and methods.degrees_of_freedom >= 1
                then {{ chi_square_p_value('methods.chi_square', 'methods.degrees_of_freedom') }}
        end as p_value
    from methods
    left join binomial_p_values
        on
            methods.cohort = binomial_p_values.cohort
            and methods.experiment = binomial_p_values.experiment
            and methods.wiki = binomial_p_values.wiki
            and (
                methods.valid_from = binomial_p_values.valid_from
                or (methods.valid_from is null and binomial_p_values.valid_from is null)
            )
            and (
                methods.valid_to = binomial_p_values.valid_to
                or (methods.valid_to is null and binomial_p_values.valid_to is null)
            )
),

judged as (
    select
        *,
        unexpected_users > 0 as has_unexpected_variants,
        coalesce(
            total_users >= {{ experiment_health_var('srm_min_users') }}
            and p_value < {{ p_threshold }},
            false
        ) as is_srm
    from p_values
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
        case when is_configured then {{ wilson_score_bound('observed_users', 'total_users', 'lower', interval_z) }} end
            as observed_share_wilson_lower,
        case when is_configured then {{ wilson_score_bound('observed_users', 'total_users', 'upper', interval_z) }} end
            as observed_share_wilson_upper,
        1e0 - {{ p_threshold }} as interval_confidence,
        expected_users,
        total_users,
        unexpected_users,
        chi_square,
        degrees_of_freedom,
        test_method,
        p_value,
        is_srm,
        has_unexpected_variants,
        case
            when is_srm then 'srm'
            when has_unexpected_variants then 'unexpected_variants'
            when total_users < {{ experiment_health_var('srm_min_users') }} then 'insufficient_data'
            else 'ok'
        end as status
    from judged
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
        interval_confidence,
        case when not has_small_cell then expected_users end as expected_users,
        {{ published_count('total_users', also_when='has_small_cell') }},
        {{ published_count('unexpected_users', also_when='has_small_cell') }},
        case when not has_small_cell then chi_square end as chi_square,
        degrees_of_freedom,
        test_method,
        case when not has_small_cell then p_value end as p_value,
        is_srm,
        has_unexpected_variants,
        status
    from small_cells
)

select * from published
