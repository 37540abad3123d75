{#
    Fault injection for the crash-consistency tests
    (tests/pytest/test_crash_consistency.py): a post-hook of every model,
    run inside the model's transaction, that fails the model when its name
    is in the var `fail_models` (a list; empty by default, so it renders to
    nothing). The model's write is then rolled back, as when a real error
    stops it, and dbt skips everything downstream.
#}
{% macro inject_fault() %}
    {%- if this.name in var('fail_models', []) -%}
        select {{ raise_error("'fault injected in " ~ this.name ~ "'") }}
    {%- endif -%}
{% endmacro %}
