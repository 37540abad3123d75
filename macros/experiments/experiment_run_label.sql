{#
    A readable name of an experiment run (an allocation window):
    `<experiment> <wiki> <valid_from>/<valid_to>`, an ISO 8601 interval with
    `..` for an open end (e.g. `growth-experiments ptwiki 2025-02-18/2025-06-24`).
    For display; the run's key is its four columns.
#}
{% macro experiment_run_label(experiment, wiki, valid_from, valid_to) %}
    {{ experiment }} || ' ' || {{ wiki }} || ' '
    || coalesce(cast({{ valid_from }} as {{ dbt.type_string() }}), '..')
    || '/' || coalesce(cast({{ valid_to }} as {{ dbt.type_string() }}), '..')
{% endmacro %}
