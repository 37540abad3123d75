{#
    How the models recomputed from the stored history stay incremental and
    crash-safe on DuckDB: int_events_deduplicated per event,
    int_enrollment_users_changed (a log of the users each run recomputes),
    then per user int_enrollments_first_per_user and the models of one row
    per unit or user read from it; fct_rejected_events per file. Each row
    carries `computed_at`, the start of the run that wrote it; the largest
    is the model's watermark: every file version the log committed up to
    then is reflected. A run recomputes only what changed after the
    watermark, deleting those rows first (a pre-hook in the same
    transaction): if it stops, the watermark has not moved and the next run
    does the same work again. The watermark moves only when a run writes a
    row: a run whose recomputed users yield no row of a model
    (int_cross_cohort_users_compared holds only users in both cohorts)
    leaves that model's watermark, and the next run recomputes those users
    again, which costs time, never correctness. Spark rebuilds these models
    whole (its Parquet tables have no DELETE).
#}

{#
    The model's watermark as a timestamp literal: 1900 (recompute every row)
    when the table is empty, or when it lacks a column the model's yml
    documents, i.e. the model gained a column since the table was written
    (on_schema_change then adds it, and every row is recomputed with it).
    With `inputs_fingerprint` (a string naming every input other than the
    stored history: seeds, vars), also 1900 when the table's rows were
    computed from other inputs (their column `inputs_fingerprint` differs).
#}
{% macro recomputed_watermark(inputs_fingerprint=none) %}
    {%- set watermark = none -%}
    {%- if execute and is_incremental() and not table_lacks_documented_columns() -%}
        {%- set found = run_query(
            'select cast(max(computed_at) as ' ~ dbt.type_string() ~ ') from ' ~ this
        ).columns[0].values()[0] -%}
        {%- if found is not none and inputs_fingerprint is not none -%}
            {%- set fingerprints = run_query(
                'select distinct inputs_fingerprint from ' ~ this ~ ' limit 2'
            ).columns[0].values() | list -%}
            {%- if fingerprints != [inputs_fingerprint] -%}
                {%- set found = none -%}
            {%- endif -%}
        {%- endif -%}
        {%- set watermark = found -%}
    {%- endif -%}
    {%- if watermark is none -%}
        {{ return(recomputed_watermark_of_every_row()) }}
    {%- endif -%}
    {{ return("cast('" ~ watermark ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{% endmacro %}

{# The watermark that recomputes every row: 1900-01-01. #}
{% macro recomputed_watermark_of_every_row() %}
    {{ return("cast('1900-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")") }}
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
    committed version is newer than the watermark. The copies of a version
    carry the `loaded_at` of the run that wrote them, the run that commits
    the version (state_file_reads reads state_event_copies, and a version
    not committed is written again when read again): so the copies of such
    a version are those loaded after the watermark (with the copies of
    versions never committed, which count for nothing), and the filter
    reads only the row groups appended since (DuckDB keeps each row group's
    minimum and maximum; a semi join on the changed files scanned every
    copy). The copies of the file's earlier versions are added for the
    files the file log holds more than one version of (rewritten files).
#}
{% macro events_changed_since(watermark) %}
    select changed_copies.event_key
    from {{ ref('state_event_copies') }} as changed_copies
    where changed_copies.loaded_at > {{ watermark }}
    union
    select earlier_copies.event_key
    from {{ ref('state_event_copies') }} as earlier_copies
    where earlier_copies.source_file in ({{ files_rewritten_since(watermark) }})
{% endmacro %}

{#
    The files the file log holds more than one version of, one of them
    committed since the watermark (rewritten files): every stored copy of
    theirs, of any version, may have changed whether it counts.
#}
{% macro files_rewritten_since(watermark) %}
    select rewritten_files.source_file
    from {{ ref('state_file_reads') }} as rewritten_files
    group by rewritten_files.source_file
    having count(*) > 1 and max(rewritten_files.loaded_at) > {{ watermark }}
{% endmacro %}

{#
    The files whose counting version the file log committed since the
    watermark (a file read for the first time, or read again): a model per
    file deletes their rows, then selects them again. Every file ever read
    for the watermark of every row.
#}
{% macro files_committed_since(watermark) %}
    select committed_files.source_file
    from {{ ref('state_file_reads') }} as committed_files
    where committed_files.loaded_at > {{ watermark }}
{% endmacro %}

{#
    The users (wiki, user_id) whose units can have changed since the
    watermark, read after int_events_deduplicated has recomputed the events
    changed since: the users of its rows computed since (every distinct text
    of a changed event among the copies that count now), and of every copy
    of the files rewritten since (the copies that counted before and may
    not now). A row int_events_deduplicated deleted since came from a copy
    that still counts (its text was computed again) or from such a file.
    Both are read from the row groups written since or from the rewritten
    files only, not from every stored copy (EXPLAIN ANALYZE at 10M lines:
    a scan of every copy's event_key, 0.46 s, is gone). Every user with a
    stored copy for the watermark of every row. int_enrollment_users_changed
    logs them once per run; the models per user read that log
    (is_user_recomputed_since).
#}
{% macro users_changed_since(watermark) %}
    {% if watermark == recomputed_watermark_of_every_row() -%}
        select distinct user_copies.wiki, user_copies.user_id
        from {{ ref('state_event_copies') }} as user_copies
    {%- else -%}
        select recomputed_events.wiki, recomputed_events.user_id
        from {{ ref('int_events_deduplicated') }} as recomputed_events
        where recomputed_events.computed_at > {{ watermark }}
        union
        select earlier_copies.wiki, earlier_copies.user_id
        from {{ ref('state_event_copies') }} as earlier_copies
        where earlier_copies.source_file in ({{ files_rewritten_since(watermark) }})
    {%- endif %}
{% endmacro %}

{#
    A condition on the rows of `relation_alias` (columns wiki, user_id): the
    row's user was logged by int_enrollment_users_changed after the
    watermark, so its rows are recomputed; `true` when the watermark is
    1900 (every row is recomputed). A model per user deletes the rows this
    holds for (delete_recomputed_users), then selects them again.
#}
{% macro is_user_recomputed_since(relation_alias, watermark) %}
    {%- if watermark == recomputed_watermark_of_every_row() -%}
        true
    {%- else -%}
        exists (
            select 1
            from {{ ref('int_enrollment_users_changed') }} as changed_users
            where
                changed_users.computed_at > {{ watermark }}
                and changed_users.wiki = {{ relation_alias }}.wiki
                and changed_users.user_id = {{ relation_alias }}.user_id
        )
    {%- endif -%}
{% endmacro %}

{#
    The pre-hook of a model per user: on an incremental run, deletes the
    rows of the users recomputed since the model's watermark.
#}
{% macro delete_recomputed_users(inputs_fingerprint=none) %}
    {%- if is_incremental() -%}
        delete from {{ this }} as recomputed
        where {{ is_user_recomputed_since('recomputed', recomputed_watermark(inputs_fingerprint)) }}
    {%- endif -%}
{% endmacro %}

{#
    The pre-hook of a model per file: on an incremental run, deletes the
    rows of the files the log committed since the model's watermark.
#}
{% macro delete_recomputed_files() %}
    {%- if is_incremental() -%}
        delete from {{ this }} as recomputed
        where recomputed.source_file in ({{ files_committed_since(recomputed_watermark()) }})
    {%- endif -%}
{% endmacro %}
