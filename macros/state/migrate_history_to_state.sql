{#
    One-off, DuckDB: carries the history of a database built before the
    stored history moved to models/state/ (tables int_source_files_loaded,
    int_events_deduplicated, fct_rejected_events) into the state models, so
    that nothing older than the raw files still present is lost:

        dbt run-operation migrate_history_to_state
        dbt build

    - the file log: the last read of each file, its version computed from the
      size and modification time logged then (an unchanged file is not read
      again);
    - the stored copies: the distinct event texts kept (identical copies were
      already collapsed to one file, so a copy counts once: `line_count` 1;
      the log keeps each file's line counts);
    - the rejected lines, of the files in the log.
    The old tables of the models now computed from the state are dropped, to
    be rebuilt by the next build. Refused when the state models exist already.
#}
{% macro migrate_history_to_state() %}
    {%- set schema = adapter.quote(target.schema) -%}
    {%- set relations = {} -%}
    {%- for name in ['int_source_files_loaded', 'int_events_deduplicated', 'fct_rejected_events',
                     'int_enrollments_first_per_user', 'state_file_reads'] -%}
        {%- do relations.update({name: adapter.get_relation(database=target.database, schema=target.schema, identifier=name)}) -%}
    {%- endfor -%}
    {%- if relations['state_file_reads'] is not none -%}
        {{ exceptions.raise_compiler_error('state_file_reads exists: this database keeps its history in models/state already.') }}
    {%- endif -%}
    {%- if relations['int_source_files_loaded'] is none or relations['int_events_deduplicated'] is none -%}
        {{ exceptions.raise_compiler_error('No int_source_files_loaded and int_events_deduplicated here: nothing to migrate.') }}
    {%- endif -%}
    {%- set migration -%}
        create table {{ schema }}.state_file_reads as
        with last_reads as (
            select
                *,
                row_number() over (partition by source_file order by loaded_at desc) as read_rank
            from {{ relations['int_source_files_loaded'] }}
        )
        select
            cast(source_file as varchar) as source_file,
            cast(file_size as bigint) as file_size,
            cast(file_modified_at as timestamp) as file_modified_at,
            cast(partition_date as date) as partition_date,
            cast(raw_lines as bigint) as raw_lines,
            cast(rejected_lines as bigint) as rejected_lines,
            cast(accepted_lines as bigint) as accepted_lines,
            cast(null as varchar) as read_error,
            cast(loaded_at as timestamp) as loaded_at,
            {{ event_file_version('source_file', 'file_size', 'file_modified_at') }} as file_version
        from last_reads
        where read_rank = 1;

        create table {{ schema }}.state_event_copies as
        select
            events.source_file,
            events.event_key,
            events.raw_line_md5,
            events.meta_id,
            events.cohort,
            events.wiki,
            events.user_id,
            events.enrolled_at,
            events.enrollment_date,
            events.assignments,
            cast(1 as bigint) as line_count,
            file_reads.loaded_at,
            file_reads.file_version
        from {{ relations['int_events_deduplicated'] }} as events
        inner join {{ schema }}.state_file_reads as file_reads
            on events.source_file = file_reads.source_file;

        create table {{ schema }}.state_rejected_lines as
        select
            rejected.rejected_line_id,
            rejected.reason,
            rejected.source_file,
            rejected.line_occurrence,
            rejected.meta_id,
            rejected.raw_line,
            file_reads.loaded_at,
            file_reads.file_version
        from {% if relations['fct_rejected_events'] is not none %}{{ relations['fct_rejected_events'] }}{% else %}(
            select
                cast(null as varchar) as rejected_line_id,
                cast(null as varchar) as reason,
                cast(null as varchar) as source_file,
                cast(null as bigint) as line_occurrence,
                cast(null as varchar) as meta_id,
                cast(null as varchar) as raw_line
            where false
        ){% endif %} as rejected
        inner join {{ schema }}.state_file_reads as file_reads
            on rejected.source_file = file_reads.source_file;

        drop table {{ relations['int_events_deduplicated'] }};
        drop table {{ relations['int_source_files_loaded'] }};
        {% if relations['int_enrollments_first_per_user'] is not none -%}
            drop table {{ relations['int_enrollments_first_per_user'] }};
        {%- endif %}
        {% if relations['fct_rejected_events'] is not none -%}
            drop table {{ relations['fct_rejected_events'] }};
        {%- endif %}
    {%- endset -%}
    {%- do run_query(migration) -%}
    {%- do adapter.commit() -%}
    {%- set counts = run_query(
        'select (select count(*) from ' ~ schema ~ '.state_file_reads), (select count(*) from '
        ~ schema ~ '.state_event_copies), (select count(*) from ' ~ schema ~ '.state_rejected_lines)'
    ).rows[0] -%}
    {%- do log('Migrated ' ~ counts[0] ~ ' files, ' ~ counts[1] ~ ' event copies and ' ~ counts[2]
        ~ ' rejected lines into models/state. Now run dbt build.', info=true) -%}
{% endmacro %}
