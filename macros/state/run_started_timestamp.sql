{# The start time of this dbt run as a UTC timestamp literal: the load stamp of incremental rows. #}
{% macro run_started_timestamp() %}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{% endmacro %}
