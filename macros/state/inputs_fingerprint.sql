{#
    An md5 naming the inputs of a model recomputed per user other than the
    stored history: the rows of `relations` (small tables, e.g. the resolved
    allocations) and the values of the experiment-health vars `var_names`.
    The model stores it in every row (column `inputs_fingerprint`);
    recomputed_watermark recomputes every row when it changes. Empty at
    parse time, and when a relation is not built yet (a compile before the
    first build, as the SQL linter makes).
#}
{% macro inputs_fingerprint(relations, var_names) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for name in var_names -%}
        {%- do parts.append(name ~ '=' ~ experiment_health_var(name)) -%}
    {%- endfor -%}
    {%- for relation in relations -%}
        {%- if load_relation(relation) is none -%}
            {{ return('') }}
        {%- endif -%}
        {%- set rows = [] -%}
        {%- for row in run_query('select * from ' ~ relation).rows -%}
            {%- do rows.append(row.values() | join('|')) -%}
        {%- endfor -%}
        {%- do parts.append(relation.identifier ~ ':' ~ (rows | sort | join(';'))) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('#'))) }}
{% endmacro %}

{#
    The inputs of int_enrollments_windowed besides the stored history, named
    once for its query and its pre-hook: the resolved allocations and the
    vars of the policies and the daily series.
#}
{% macro enrollments_windowed_inputs_fingerprint() %}
    {{ return(inputs_fingerprint(
        [ref('int_experiment_allocations_resolved')],
        ['multi_variant_policy', 'forced_assignment_policy', 'daily_series_start', 'daily_series_end'],
    )) }}
{% endmacro %}
