{#
    Data tests of the tables that grow with history check only the rows
    written since the last build whose every test passed, so that a daily
    run's tests cost what it wrote, not what was kept. The generic tests
    take `scope_column` (the column stamped with the run that wrote a row:
    `loaded_at`, `computed_at`) for that. A run whose tests failed does not
    move the mark, so what it wrote is checked again by the next run. The
    full check, over every row, is any dbt command with
    `--vars '{check_all_history: true}'` (docs/stored-history.md).
#}

{#
    on-run-end: after a `dbt build` in which no node failed and every scoped
    test ran and passed, records the run's start in
    `state_checked_builds` (the source growth_enrollments_state.state_checked_builds).
#}
{% macro record_checked_build(results) %}
    {%- if not execute or flags.WHICH != 'build' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set scoped_tests = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'test' and 'scope_column' in ((node.get('test_metadata') or {}).get('kwargs') or {}) -%}
            {%- do scoped_tests.append(node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set passed = [] -%}
    {%- for result in results -%}
        {%- if result.status in ('error', 'fail', 'skipped', 'runtime error') -%}
            {{ return('') }}
        {%- endif -%}
        {%- if result.node.unique_id in scoped_tests -%}
            {%- do passed.append(result.node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if passed | length < scoped_tests | length -%}
        {{ return('') }}
    {%- endif -%}
    {%- set checked_builds = source('growth_enrollments_state', 'state_checked_builds') -%}
    {%- do run_query(
        'create table if not exists ' ~ checked_builds ~ ' (checked_through ' ~ dbt.type_timestamp() ~ ')'
        ~ (' using parquet' if target.type == 'spark' else '')
    ) -%}
    {%- do run_query('insert into ' ~ checked_builds ~ ' values (' ~ run_started_timestamp() ~ ')') -%}
    {{ return('') }}
{% endmacro %}

{#
    In a generic test: a SQL condition on the tested model's rows that keeps
    those to check, or none for every row (no scope_column, var
    check_all_history, or no build checked yet). A key test needs no older
    row: each model tested so writes every row of a key it writes (the
    state models per file version, the others per event or per user) in the
    transaction that deletes that key's older rows, so a key with a new row
    has only new rows.
#}
{% macro rows_to_check(scope_column) %}
    {%- set checked_builds = source('growth_enrollments_state', 'state_checked_builds') -%}
    {%- if scope_column is none or var('check_all_history') or not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if load_relation(checked_builds) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(scope_column ~ ' > (select max(checked_through) from ' ~ checked_builds ~ ')') }}
{% endmacro %}
