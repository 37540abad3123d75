{#
    Upper tail P(X >= statistic) of the chi-square distribution with
    `degrees_of_freedom` degrees of freedom (scipy.stats.chi2.sf), in SQL
    that DuckDB and Spark both run: exp, ln, sqrt, floor, greatest, least,
    case and a sum over a list of integers (sum_over_list).

    Closed forms for integer k = degrees_of_freedom and h = statistic / 2
    (Abramowitz & Stegun, Handbook of Mathematical Functions, 26.4.4-26.4.5,
    the Poisson sum of the regularised upper incomplete gamma Q(k/2, h)):

        k even: Q = sum over i = 0 .. k/2 - 1 of exp(-h) h^i / i!
        k odd:  Q = erfc(sqrt h)
                    + sum over i = 1 .. (k-1)/2 of exp(-h) h^(i-1/2) / Gamma(i + 1/2)

    Every term is computed in log space, exp(-h + i ln h - ln i!), so that a
    huge statistic gives 0 and never overflows or yields NaN. The constants
    i! and Gamma(i + 1/2) are computed here at compile time, as two lists
    that each term indexes (constant_list_element). So the SQL stays small
    whatever max_degrees_of_freedom is: with each of the 100 terms written
    out, this expression would be about 30 kB for the engine to plan on
    every build and for the linter to parse.

    erfc is the erfc macro (accurate to about 1e-15).

    Measured against scipy.stats.chi2.sf for k = 1..100 and statistics from
    0 to 1e9: largest absolute difference about 1.5e-14
    (tests/pytest/test_srm_statistics.py).

    Arguments are SQL expressions; they are repeated in the output, so pass
    column names, not sub-queries. A statistic <= 0 gives 1. Null,
    non-integer, < 1 or > max_degrees_of_freedom degrees of freedom give
    null.
#}
{% macro chi_square_p_value(statistic, degrees_of_freedom, max_degrees_of_freedom=100) %}
    {%- set x = 'cast(' ~ statistic ~ ' as double)' -%}
    {%- set k = 'cast(' ~ degrees_of_freedom ~ ' as double)' -%}
    {%- set h = '(' ~ x ~ ' / 2e0)' -%}
    {#- ln h, kept finite when h is 0 (then every term that uses it is 0) -#}
    {%- set log_h = 'ln(greatest(' ~ h ~ ', 1e-300))' -%}
    {%- set max_i = ((max_degrees_of_freedom + 1) / 2) | int -%}
    {#- i! for i = 0 .. max_i - 1, and Gamma(i + 3/2) for i = 0 .. max_i - 1
        (Gamma(1/2) = sqrt(pi); Gamma(j + 1/2) = (j - 1/2) Gamma(j - 1/2)) -#}
    {%- set factorials = [] -%}
    {%- set half_gammas = [] -%}
    {%- set running = namespace(factorial=1.0, gamma=1.7724538509055160) -%}
    {%- for i in range(max_i) -%}
        {%- if i > 0 -%}
            {%- set running.factorial = running.factorial * i -%}
        {%- endif -%}
        {%- set running.gamma = running.gamma * (i + 0.5) -%}
        {%- do factorials.append('%.17e' | format(running.factorial)) -%}
        {%- do half_gammas.append('%.17e' | format(running.gamma)) -%}
    {%- endfor -%}
    {#- the terms i = 0 .. floor(k / 2) - 1 of either sum -#}
    {%- set terms = integer_range_list('least(floor(' ~ k ~ ' / 2e0), ' ~ max_i ~ 'e0) - 1e0') -%}
    case
        when {{ x }} is null or {{ k }} is null then null
        when {{ k }} < 1e0 or {{ k }} > {{ max_degrees_of_freedom }}e0 or {{ k }} <> floor({{ k }}) then null
        when {{ x }} <= 0e0 then 1e0
        when {{ k }} = 2e0 * floor({{ k }} / 2e0) then least(1e0,
            {{ sum_over_list(terms, 'i',
                'exp(-' ~ h ~ ' + cast(i as double) * ' ~ log_h
                ~ ' - ln(' ~ constant_list_element(factorials, 'i') ~ '))') }}
        )
        else least(1e0,
            {{ erfc('sqrt(' ~ h ~ ')') }}
            + {{ sum_over_list(terms, 'i',
                'exp(-' ~ h ~ ' + (cast(i as double) + 0.5e0) * ' ~ log_h
                ~ ' - ln(' ~ constant_list_element(half_gammas, 'i') ~ '))') }}
        )
    end
{% endmacro %}
