{#
    The z with P(|Z| > z) = alpha for a standard normal Z, as a number at
    compile time (scipy.stats.norm.isf(alpha / 2)): the half-width, in
    standard errors, of the 1 - alpha interval. Used to draw the Wilson
    interval at the same threshold as the SRM test (srm_p_threshold 0.001:
    z = 3.2905, a 99.9% interval).

    Bisection on the upper tail Q(z) = erfc(z / sqrt 2) / 2, with erfc from
    its Maclaurin series below 3 and its continued fraction (Abramowitz &
    Stegun 7.1.14) from 3 up; Jinja has no math module, so exp is e ** x.
    Within 1e-9 of scipy for alpha from 1e-12 to 0.5
    (tests/pytest/test_srm_statistics.py). alpha must lie in (0, 1).
#}
{% macro two_sided_normal_quantile(alpha) %}
    {%- set alpha = alpha | float -%}
    {%- if not (alpha > 0 and alpha < 1) -%}
        {{ exceptions.raise_compiler_error('two_sided_normal_quantile: alpha must lie in (0, 1), not ' ~ alpha) }}
    {%- endif -%}
    {%- set state = namespace(low=0.0, high=40.0) -%}
    {#- halve [low, high] until no double lies between them (about 56 steps) -#}
    {%- for iteration in range(200) -%}
        {%- set middle = (state.low + state.high) / 2 -%}
        {%- if middle == state.low or middle == state.high -%}
            {%- break -%}
        {%- endif -%}
        {%- if 2 * _upper_normal_tail(middle) > alpha -%}
            {%- set state.low = middle -%}
        {%- else -%}
            {%- set state.high = middle -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return((state.low + state.high) / 2) }}
{% endmacro %}

{% macro _upper_normal_tail(z) %}
    {%- set x = z / 1.4142135623730951 -%}
    {%- set e = 2.718281828459045 -%}
    {%- if x < 3 -%}
        {#- erf(x) = 2 / sqrt(pi) * sum of (-1)^n x^(2n+1) / (n! (2n+1)) -#}
        {%- set series = namespace(term=x, total=x) -%}
        {%- for n in range(1, 120) -%}
            {%- set series.term = -series.term * x * x / n -%}
            {%- set next_total = series.total + series.term / (2 * n + 1) -%}
            {#- past n = x^2 the terms only shrink: once one no longer
                changes the total, no later one does -#}
            {%- if n > x * x and next_total == series.total -%}
                {%- break -%}
            {%- endif -%}
            {%- set series.total = next_total -%}
        {%- endfor -%}
        {{ return((1 - 1.1283791670955126 * series.total) / 2) }}
    {%- else -%}
        {#- erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))) -#}
        {%- set fraction = namespace(value=x) -%}
        {%- for level in range(80, 0, -1) -%}
            {%- set fraction.value = x + (level / 2) / fraction.value -%}
        {%- endfor -%}
        {{ return(e ** (-x * x) / 1.7724538509055160 / fraction.value / 2) }}
    {%- endif -%}
{% endmacro %}
