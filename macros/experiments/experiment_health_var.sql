{#
    The value of one experiment-health var: the dbt var when it is set
    (dbt_project.yml or --vars), else the default below. Keeping every
    default here lets the models, tests and docs agree on them.

    - multi_variant_policy: `first` (count a unit seen in several variants
      in its first variant) or `exclude` (leave such units out of every count
      and of the sample ratio test). Applied in int_enrollments_counted only.
    - forced_assignment_policy: `count` (count a unit whose events carry a
      forced assignment, coordinator `forced`, like any other) or `exclude`
      (leave such units out of every count and of the sample ratio test).
      Applied in int_enrollments_counted only; fct_assignment_source_conflicts
      counts them either way.
    - srm_p_threshold: a test whose p-value is below it has status `srm`.
    - srm_exact_max_users: the exact binomial test (two variants, an
      expected count below 5) is used up to this many users; above it the
      chi-square test (the exact test sums over every possible count).
    - srm_min_users: a test with fewer users (in configured variants) has
      status `insufficient_data`; its statistic is still shown.
    - multi_variant_warn_share / multi_variant_error_share: share of a
      (cohort, experiment, wiki)'s units seen in several variants above
      which a test warns / fails.
    - multi_variant_min_units: the error-severity multi-variant test only
      judges groups with at least this many units (a handful of units gives a
      share that says nothing); the warning judges every group.
    - experiment_allocations_relation: a table or view (e.g.
      `main.my_allocations`) to read the expected allocations from instead of
      the seed `experiment_allocations`; same columns as the seed.
    - daily_series_start / daily_series_end: the days (ISO dates, both
      inclusive) the daily series of an experiment and wiki may cover when
      it has no allocation window, and in place of an open end of its
      windows (an experiment and wiki with allocations is bounded by the
      first and last day of its windows). `daily_series_end` none means the
      UTC date the build started. Enrollments outside are left out of the
      daily series and reported in fct_enrollments_outside_daily_series, so
      one event dated 0001 or 9999 neither fails the build nor stretches
      the chart over centuries.
#}
{% macro experiment_health_var(name) %}
    {%- set defaults = {
        'multi_variant_policy': 'first',
        'forced_assignment_policy': 'count',
        'srm_p_threshold': 0.001,
        'srm_min_users': 100,
        'srm_exact_max_users': 100000,
        'multi_variant_warn_share': 0.01,
        'multi_variant_error_share': 0.10,
        'multi_variant_min_units': 100,
        'experiment_allocations_relation': none,
        'daily_series_start': '2020-01-01',
        'daily_series_end': none,
    } -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error('Unknown experiment health var: ' ~ name) }}
    {%- endif -%}
    {%- set value = var(name, defaults[name]) -%}
    {%- if name == 'multi_variant_policy' and value not in ('first', 'exclude') -%}
        {{ exceptions.raise_compiler_error(
            "multi_variant_policy must be 'first' or 'exclude', not '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {%- if name == 'forced_assignment_policy' and value not in ('count', 'exclude') -%}
        {{ exceptions.raise_compiler_error(
            "forced_assignment_policy must be 'count' or 'exclude', not '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {%- if name in ('daily_series_start', 'daily_series_end') -%}
        {%- if value is none -%}
            {%- set value = run_started_at.strftime('%Y-%m-%d') -%}
        {%- endif -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value | string) -%}
            {{ exceptions.raise_compiler_error(name ~ " must be an ISO date (YYYY-MM-DD), not '" ~ value ~ "'") }}
        {%- endif -%}
        {%- set value = value | string -%}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}
