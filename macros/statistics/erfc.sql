{#
    The complementary error function erfc(z) = 1 - erf(z) in plain SQL that
    DuckDB and Spark both run (neither has a portable erf builtin). The SQL
    is sums of powers over lists of coefficients (sum_over_list,
    constant_list_element), no deep nesting.

    For |z| < 2.5: 1 - erf(|z|) with the series (Abramowitz & Stegun,
    Handbook of Mathematical Functions, 7.1.6)
        erf(z) = 2/sqrt(pi) · exp(-z^2) · z · sum over n = 0 .. terms of (2 z^2)^n / (1·3·…·(2n+1))
    All terms are positive, so nothing cancels.

    For |z| >= 2.5: the continued fraction (A&S 7.1.14)
        erfc(z) = exp(-z^2)/sqrt(pi) · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + …)))))
    cut after `terms` levels. Its convergent is a ratio of two polynomials in
    z with positive coefficients (the three-term recurrences
    A_n = z A_(n-1) + a_n A_(n-2), B_n = z B_(n-1) + a_n B_(n-2)), computed
    here at compile time and evaluated as sums. z is capped at 30 inside
    the ratio (exp(-z^2) is already exactly 0 beyond about 27.3), so a huge z
    gives exactly 0, never an overflow or NaN.

    Negative z: erfc(z) = 2 - erfc(-z).

    With the default 40 terms both branches are within about 1e-15 of
    scipy.special.erfc (absolute below 2.5, relative above). Each branch
    clamps z to its own range, so neither overflows on rows it does not serve.
    The argument is repeated in the output: pass a column or a short expression.
#}
{% macro erfc(z, terms=40) %}
    {%- set magnitude = 'abs(cast(' ~ z ~ ' as double))' -%}
    {%- set small = 'least(' ~ magnitude ~ ', 2.5e0)' -%}
    {%- set large = 'least(greatest(' ~ magnitude ~ ', 2.5e0), 30e0)' -%}
    {%- set w = '(2e0 * ' ~ small ~ ' * ' ~ small ~ ')' -%}
    {#- series coefficients: 1·3·…·(2n+1) for n = 0 .. terms -#}
    {%- set double_factorial = namespace(value=1.0) -%}
    {%- set double_factorials = ['%.17e' | format(1.0)] -%}
    {%- for n in range(1, terms + 1) -%}
        {%- set double_factorial.value = double_factorial.value * (2 * n + 1) -%}
        {%- do double_factorials.append('%.17e' | format(double_factorial.value)) -%}
    {%- endfor -%}
    {#- continued fraction convergent A/B as coefficient lists, lowest power first -#}
    {%- set fraction = namespace(numerator_before=[1.0], numerator=[0.0], denominator_before=[0.0], denominator=[1.0]) -%}
    {%- for level in range(1, terms + 2) -%}
        {%- set partial = 1.0 if level == 1 else (level - 1) / 2 -%}
        {%- set numerator = [] -%}
        {%- set denominator = [] -%}
        {%- for power in range((fraction.numerator | length) + 1) -%}
            {%- do numerator.append(
                (fraction.numerator[power - 1] if power >= 1 else 0.0)
                + partial * (fraction.numerator_before[power] if power < (fraction.numerator_before | length) else 0.0)
            ) -%}
            {%- do denominator.append(
                (fraction.denominator[power - 1] if power >= 1 else 0.0)
                + partial * (fraction.denominator_before[power] if power < (fraction.denominator_before | length) else 0.0)
            ) -%}
        {%- endfor -%}
        {%- set fraction.numerator_before = fraction.numerator -%}
        {%- set fraction.numerator = numerator -%}
        {%- set fraction.denominator_before = fraction.denominator -%}
        {%- set fraction.denominator = denominator -%}
    {%- endfor -%}
    {%- set numerator_coefficients = [] -%}
    {%- set denominator_coefficients = [] -%}
    {%- for power in range(fraction.numerator | length) -%}
        {%- do numerator_coefficients.append('%.17e' | format(fraction.numerator[power])) -%}
        {%- do denominator_coefficients.append('%.17e' | format(fraction.denominator[power])) -%}
    {%- endfor -%}
    {%- set powers = integer_range_list(fraction.numerator | length - 1) -%}
    (case when cast({{ z }} as double) < 0e0 then 2e0 else 0e0 end
        + case when cast({{ z }} as double) < 0e0 then -1e0 else 1e0 end
        * case
            when {{ magnitude }} < 2.5e0
                then greatest(0e0,
                    1e0 - 1.1283791670955126e0 * exp(-{{ small }} * {{ small }}) * {{ small }}
                    * {{ sum_over_list(integer_range_list(terms), 'n',
                        'power(' ~ w ~ ', cast(n as double)) / ' ~ constant_list_element(double_factorials, 'n')) }}
                )
            else exp(-{{ magnitude }} * {{ magnitude }}) / 1.7724538509055160e0
                * {{ sum_over_list(powers, 'p',
                    constant_list_element(numerator_coefficients, 'p') ~ ' * power(' ~ large ~ ', cast(p as double))') }}
                / {{ sum_over_list(powers, 'p',
                    constant_list_element(denominator_coefficients, 'p') ~ ' * power(' ~ large ~ ', cast(p as double))') }}
        end)
{% endmacro %}
