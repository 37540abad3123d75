{#
    One bound of the Wilson score interval for a proportion of
    `successes` out of `trials` (E. B. Wilson, "Probable inference, the law
    of succession, and statistical inference", JASA 22, 1927; the form in
    R. G. Newcombe, Statistics in Medicine 17, 1998, method 3):

        (k + z^2/2 -/+ z sqrt(k (n - k) / n + z^2 / 4)) / (n + z^2)

    with k = successes, n = trials and z the half-width in standard errors:
    by default 1.959963984540054 (95%); fct_sample_ratio_checks passes
    two_sided_normal_quantile(srm_p_threshold), so that the interval and the
    SRM status use one threshold. `bound` is 'lower' or 'upper'. Clamped to [0, 1] against
    rounding; null when trials is 0 or null. Plain SQL for DuckDB and Spark.
#}
{% macro wilson_score_bound(successes, trials, bound, z=1.959963984540054) %}
    {%- if bound not in ('lower', 'upper') -%}
        {{ exceptions.raise_compiler_error("wilson_score_bound: bound must be 'lower' or 'upper'") }}
    {%- endif -%}
    {%- set k = 'cast(' ~ successes ~ ' as double)' -%}
    {%- set n = 'cast(' ~ trials ~ ' as double)' -%}
    {%- set z = '%.17e' | format(z | float) -%}
    case
        when {{ n }} > 0e0 then
            least(1e0, greatest(0e0,
                ({{ k }} + {{ z }} * {{ z }} / 2e0
                    {{ '-' if bound == 'lower' else '+' }} {{ z }} * sqrt(
                        greatest(0e0, {{ k }} * ({{ n }} - {{ k }}) / {{ n }}) + {{ z }} * {{ z }} / 4e0
                    ))
                / ({{ n }} + {{ z }} * {{ z }})
            ))
    end
{% endmacro %}
