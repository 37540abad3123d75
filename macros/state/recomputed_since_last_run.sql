{#
    How the models recomputed from the stored history (int_events_deduplicated,
    int_enrollments_first_per_user) stay incremental and crash-safe on
    DuckDB. Each row carries `computed_at`, the start of the run that wrote
    it; the largest is the model's watermark: every file version the log
    committed up to then is reflected. A run recomputes only what file
    versions committed after the watermark can change, deleting those rows
    first (a pre-hook in the same transaction): if it stops, the watermark
    has not moved and the next run does the same work again.
    Spark rebuilds these models whole (its Parquet tables have no DELETE).
#}

{#
    The model's watermark as a timestamp literal: 1900 (recompute every row)
    when the table is empty, or when it lacks a column the model's yml
    documents, i.e. the model gained a column since the table was written
    (on_schema_change then adds it, and every row is recomputed with it).
#}
{% macro recomputed_watermark() %}
    {%- set watermark = '1900-01-01 00:00:00' -%}
    {%- if execute and is_incremental() and not table_lacks_documented_columns() -%}
        {%- set found = run_query(
            'select cast(max(computed_at) as ' ~ dbt.type_string() ~ ') from ' ~ this
        ).columns[0].values()[0] -%}
        {%- if found is not none -%}
            {%- set watermark = found -%}
        {%- endif -%}
    {%- endif -%}
    {{ return("cast('" ~ watermark ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{% endmacro %}

{# True when {{ this }} lacks a column documented in the model's yml. #}
{% macro table_lacks_documented_columns() %}
    {%- set existing = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- for column in model.columns -%}
        {%- if column | lower not in existing -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{% endmacro %}

{#
    The events whose counting copy can have changed since the watermark:
    every event with a stored copy, of any version, in a file whose
    committed version is newer than the watermark.
#}
{% macro events_changed_since(watermark) %}
    select distinct changed_copies.event_key
    from {{ ref('state_event_copies') }} as changed_copies
    where changed_copies.source_file in (
        select changed_files.source_file
        from {{ ref('int_event_files_read_last') }} as changed_files
        where changed_files.loaded_at > {{ watermark }}
    )
{% endmacro %}

{#
    The users (wiki, user_id) whose units can have changed since the
    watermark: every user with a stored copy of a changed event (a copy
    that now counts, or that counted before).
#}
{% macro users_changed_since(watermark) %}
    select distinct user_copies.wiki, user_copies.user_id
    from {{ ref('state_event_copies') }} as user_copies
    where user_copies.event_key in ({{ events_changed_since(watermark) }})
{% endmacro %}
