{#
    True only for a deliberate rebuild of the models that keep history:
    `dbt build --full-refresh --vars '{rebuild_history: true}'`. A plain
    --full-refresh leaves them (and the files they read) incremental.
#}
{% macro is_history_rebuild() %}
    {{ return(flags.FULL_REFRESH and var('rebuild_history')) }}
{% endmacro %}
