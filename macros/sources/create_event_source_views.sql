{#
    Publishes the raw event files matched by the var `events_path` as the two
    source relations, at the start of every dbt command:
    - `raw_event_files`: one row per file, with its size, modification time,
      partition date (from a data-lake path `year=/month=/day=`, else the
      modification date) and `is_read`: whether this run reads it (the
      selection of `event_files_to_read`, made once here). On DuckDB a table,
      the listing of this command: the folders are walked once, not by every
      query that reads it.
    - `raw_event_lines`: one row per raw line (`source_file`, `raw_line`) of
      the files this run reads, valid JSON or not, so that nothing is dropped
      before staging classifies it. With `events_format: parquet` each
      Parquet row becomes one line, its columns serialised as a JSON object.
    A glob that matches no file gives empty relations, not an error.
#}
{% macro create_event_source_views() %}
    {{ return(adapter.dispatch('create_event_source_views', 'growth_enrollments')()) }}
{% endmacro %}

{#
    Other adapters: no portable SQL lists the files of a glob or reads them
    line by line (DuckDB uses glob, read_blob and read_csv, Spark external
    binaryFile and text tables).
#}
{% macro default__create_event_source_views() %}
    {{ raise_unsupported_adapter('create_event_source_views') }}
{% endmacro %}

{#
    DuckDB. The listing is a table (the folders are walked once per
    command); the lines of the chosen files are a view
    (`duckdb__read_event_lines`), to which the lines the reader cannot take
    as text (bytes that are not UTF-8, a line longer than var
    max_line_bytes) are added with their `line_error`. A file that cannot
    be read whole (a damaged or fake gzip file, a file that vanished) gets
    its error in `read_error` of `raw_event_files`, and the readable lines
    of a damaged gzip file are kept: one bad file never stops the build.
#}
{% macro duckdb__create_event_source_views() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set events_path = var('events_path') -%}
    {%- set events_format = var('events_format', 'json') -%}
    {%- if events_format not in ('json', 'parquet') -%}
        {{ exceptions.raise_compiler_error("var events_format must be 'json' or 'parquet', got '" ~ events_format ~ "'") }}
    {%- endif -%}
    {%- set schema = adapter.quote(target.schema) -%}
    {%- set files_found = run_query('select count(*) from glob(' ~ sql_string(events_path) ~ ')').columns[0].values()[0] -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- do guard_event_file_listing(files_found) -%}

    {%- set linked_folders = [] if '**' not in events_path else run_query(
        'select unnest(growth_symlinked_folders(' ~ sql_string(event_files_folder(events_path)) ~ '))'
    ).columns[0].values() | list -%}
    {%- set listing -%}
        {% if files_found == 0 %}
            select
                cast(null as varchar) as source_file,
                cast(null as bigint) as file_size,
                cast(null as timestamp) as file_modified_at,
                cast(null as date) as partition_date
            where false
        {% else %}
            with listed as (
                select
                    filename as source_file,
                    size as file_size,
                    cast(last_modified at time zone 'UTC' as timestamp) as file_modified_at,
                    regexp_extract(filename, 'year=([0-9]{4})/month=([0-9]{1,2})/day=([0-9]{1,2})/', ['y', 'm', 'd'])
                        as path_date
                from read_blob({{ sql_string(events_path) }})
            )

            select
                source_file,
                file_size,
                file_modified_at,
                coalesce(
                    try_cast(
                        path_date.y || '-' || lpad(path_date.m, 2, '0') || '-' || lpad(path_date.d, 2, '0') as date
                    ),
                    cast(file_modified_at as date)
                ) as partition_date
            from listed
        {% endif %}
        {% for folder in linked_folders %}
            union all
            -- a folder reached through a symbolic link: `**` does not enter it
            select
                {{ sql_string(folder) }} as source_file,
                cast(0 as bigint) as file_size,
                cast('1970-01-01' as timestamp) as file_modified_at,
                cast('1970-01-01' as date) as partition_date
        {% endfor %}
    {%- endset -%}
    {%- set existing = load_relation(source('growth_product_interaction', 'raw_event_files')) -%}
    {%- if existing is not none and existing.is_view -%}
        {#- a database built when the listing was a view -#}
        {%- do run_query('drop view ' ~ schema ~ '.raw_event_files') -%}
    {%- endif -%}
    {%- do run_query(
        'create or replace table ' ~ schema ~ '.raw_event_files as select *, '
        ~ event_file_version('source_file', 'file_size', 'file_modified_at') ~ ' as file_version, '
        ~ 'true as is_read, '
        ~ 'case when source_file in (' ~ (quoted_paths(linked_folders) if linked_folders else 'null') ~ ')'
        ~ " then 'a symbolic link to a folder, not followed: give its real path in events_path' end as read_error"
        ~ ' from (' ~ listing ~ ') as listed'
    ) -%}
    {%- set selected = event_files_to_read() -%}
    {%- if selected is not none -%}
        {%- set is_read = 'false' if selected | length == 0
            else 'source_file in (select unnest([' ~ quoted_paths(selected) ~ ']::varchar[]))' -%}
        {%- do run_query('update ' ~ schema ~ '.raw_event_files set is_read = ' ~ is_read) -%}
    {%- endif -%}
    {%- set to_read = run_query(
        'select source_file from ' ~ schema ~ '.raw_event_files where is_read and read_error is null order by 1'
    ).columns[0].values() | list -%}
    {%- do duckdb__read_event_lines(schema, to_read, events_format) -%}
    {{ return('') }}
{% endmacro %}

{#
    Spark: Hadoop globs have no `**`, so events_path is split into a base
    folder, read recursively (`recursiveFileLookup`) when the pattern has a
    `**`, and a file-name pattern (`pathGlobFilter`), e.g.
    `sample_data/events/**/*.*json*` -> folder `sample_data/events`, every
    depth, names `*.*json*`. Two external tables over the folder (never
    holding data of their own) feed the two views, filtered on this run's
    selection of files:
    `raw_event_files__listing` (binaryFile: path, size, modification time;
    the content is not read) and `raw_event_lines__files` (text, one row per
    line, empty lines kept; gzip read by extension; or the Parquet files with
    the schemas of all files merged). File paths are written as DuckDB
    writes them: events_path's folder as given, then the path below it.
    Spark lists no file of 0 bytes, so such a file has no row here. A line
    longer than var max_line_bytes gets `line_error` `line_too_long`, as on
    DuckDB; a damaged gzip file fails the read (docs/spark.md).
#}
{% macro spark__create_event_source_views() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set events_format = var('events_format', 'json') -%}
    {%- if events_format not in ('json', 'parquet') -%}
        {{ exceptions.raise_compiler_error("var events_format must be 'json' or 'parquet', got '" ~ events_format ~ "'") }}
    {%- endif -%}
    {%- set location = spark_event_files_location(var('events_path')) -%}
    {%- set folder = location.folder -%}
    {%- if not folder.startswith('/') and ':' not in folder -%}
        {#- a relative path would be read from the schema's folder: make it absolute -#}
        {%- set working_directory = run_query(
            "select reflect('java.lang.System', 'getProperty', 'user.dir')"
        ).columns[0].values()[0] -%}
        {%- set folder = working_directory ~ '/' ~ folder -%}
    {%- endif -%}
    {%- set schema = target.schema -%}
    {%- set listing = schema ~ '.raw_event_files__listing' -%}
    {%- set line_files = schema ~ '.raw_event_lines__files' -%}
    {%- set options -%}
        path {{ sql_string(folder) }},
        recursiveFileLookup '{{ location.recursive | lower }}'
        {%- if location.file_pattern %}, pathGlobFilter {{ sql_string(location.file_pattern) }}{% endif %}
    {%- endset -%}

    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- do run_query('drop table if exists ' ~ listing) -%}
    {%- do run_query('create table ' ~ listing ~ ' using binaryFile options (' ~ options ~ ')') -%}
    {%- set folder_uri = spark_table_location(listing) -%}
    {%- set files_found = run_query('select count(*) from ' ~ listing).columns[0].values()[0] -%}
    {%- do guard_event_file_listing(files_found) -%}

    {%- set file_listing -%}
        with listed as (
            select
                {{ spark_source_file_path('path', folder_uri, location.folder) }} as source_file,
                length as file_size,
                modificationTime as file_modified_at
            from {{ listing }}
        ),

        dated as (
            select
                *,
                regexp_extract(source_file, 'year=([0-9]{4})/month=([0-9]{1,2})/day=([0-9]{1,2})/', 1) as path_year,
                regexp_extract(source_file, 'year=([0-9]{4})/month=([0-9]{1,2})/day=([0-9]{1,2})/', 2) as path_month,
                regexp_extract(source_file, 'year=([0-9]{4})/month=([0-9]{1,2})/day=([0-9]{1,2})/', 3) as path_day
            from listed
        )

        select
            source_file,
            file_size,
            file_modified_at,
            coalesce(
                try_cast(concat(path_year, '-', lpad(path_month, 2, '0'), '-', lpad(path_day, 2, '0')) as date),
                cast(file_modified_at as date)
            ) as partition_date,
            {{ event_file_version('source_file', 'file_size', 'file_modified_at') }} as file_version,
            cast(null as string) as read_error
        from dated
    {%- endset -%}

    {%- do run_query('create or replace view ' ~ schema ~ '.raw_event_files as ' ~ file_listing) -%}
    {%- set selected = event_files_to_read() -%}
    {%- set is_read = 'true' if selected is none
        else ('false' if selected | length == 0 else 'source_file in (' ~ quoted_paths(selected) ~ ')') -%}
    {%- do run_query(
        'create or replace view ' ~ schema ~ '.raw_event_files as select *, ' ~ is_read ~ ' as is_read from ('
        ~ file_listing ~ ') as listed'
    ) -%}

    {%- do run_query('drop table if exists ' ~ line_files) -%}
    {%- if files_found == 0 or (selected is not none and selected | length == 0) -%}
        {%- set line_select -%}
            select
                cast(null as string) as source_file,
                cast(null as string) as raw_line,
                cast(null as string) as line_error
            where false
        {%- endset -%}
    {%- elif events_format == 'parquet' -%}
        {%- do run_query('create table ' ~ line_files ~ " using parquet options (" ~ options ~ ", mergeSchema 'true')") -%}
        {#- the row's own columns only, as on DuckDB: not the Hive partition columns -#}
        {%- set row_columns = [] -%}
        {%- for row in run_query('describe table ' ~ line_files).rows -%}
            {%- if row[0] and not row[0].startswith('#') and row[0] not in row_columns
                and row[0] not in ('datacenter', 'year', 'month', 'day', 'hour') -%}
                {%- do row_columns.append(row[0]) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set line_select -%}
            select
                {{ spark_source_file_path(spark_decoded_uri('_metadata.file_path'), folder_uri, location.folder) }} as source_file,
                to_json(
                    struct({% for column in row_columns %}`{{ column }}`{{ ', ' if not loop.last }}{% endfor %}),
                    map('ignoreNullFields', 'false')
                ) as raw_line,
                cast(null as string) as line_error
            from {{ line_files }}
        {%- endset -%}
    {%- else -%}
        {%- do run_query('create table ' ~ line_files ~ ' using text options (' ~ options ~ ')') -%}
        {%- set line_select -%}
            select
                {{ spark_source_file_path(spark_decoded_uri('_metadata.file_path'), folder_uri, location.folder) }} as source_file,
                value as raw_line,
                case when octet_length(value) > {{ var('max_line_bytes') | int }} then 'line_too_long' end as line_error
            from {{ line_files }}
        {%- endset -%}
    {%- endif -%}
    {%- do run_query(
        'create or replace view ' ~ schema ~ '.raw_event_lines as select * from (' ~ line_select ~ ') as raw_lines'
        ~ (' where source_file in (' ~ quoted_paths(selected) ~ ')' if selected else '')
    ) -%}
    {{ return('') }}
{% endmacro %}
