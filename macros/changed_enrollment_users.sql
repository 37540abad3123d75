{#
    For the incremental model int_enrollments_first_per_user: a SQL
    predicate true for rows of `relation_alias` (with columns wiki and
    user_id) whose user has an event copy loaded into
    int_events_deduplicated since the model was last refreshed (its largest
    `events_loaded_at`). Evaluated once, when the model is compiled, so the
    pre-hook that deletes those users' rows and the model body that
    recomputes them use the same set.
#}
{% macro changed_enrollment_users(relation_alias) %}
    {%- set events = ref('int_events_deduplicated') -%}
    {%- set watermark = '1900-01-01 00:00:00' -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select cast(max(events_loaded_at) as " ~ dbt.type_string() ~ ") from " ~ this
        ).columns[0].values()[0] -%}
        {%- if found is not none -%}
            {%- set watermark = found -%}
        {%- endif -%}
    {%- endif -%}
    exists (
        select 1
        from {{ events }} as changed_events
        where changed_events.loaded_at > cast('{{ watermark }}' as {{ dbt.type_timestamp() }})
            and changed_events.wiki = {{ relation_alias }}.wiki
            and changed_events.user_id = {{ relation_alias }}.user_id
    )
{% endmacro %}
