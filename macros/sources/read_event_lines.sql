{#
    DuckDB: publishes the lines of `files` as the view `raw_event_lines`
    (source_file, raw_line, line_error), every line accounted for, without
    copying them:
    - a first pass over every file counts the lines (one native read_csv,
      or read_parquet with events_format parquet) and keeps what the reader
      could not take as text (DuckDB's `store_rejects`): a line that is not
      UTF-8, or longer than var max_line_bytes, goes to the small table
      `raw_event_lines_recovered` with its `line_error` (`invalid_utf8`,
      `line_too_long`) and the text the reader saw;
    - when that pass fails as a whole (a damaged or fake gzip file, a file
      deleted since it was listed), each file is tried on its own: the files
      that fail get their error in `read_error` of `raw_event_files` and are
      left out of the view, and a damaged gzip file's lines that decompress
      go to `raw_event_lines_recovered` (plugins/event_file_reader.py);
    - the view reads the files again, skipping the lines already recovered,
      and adds the recovered ones.
    A line holding the byte 0x1F is read up to that byte (the column
    delimiter; valid JSON never holds it raw).
#}
{% macro duckdb__read_event_lines(schema, files, events_format) %}
    {%- set recovered = schema ~ '.raw_event_lines_recovered' -%}
    {%- set create_recovered = 'create or replace table ' ~ recovered
        ~ ' (source_file varchar, raw_line varchar, line_error varchar)' -%}
    {%- set empty_view -%}
        create or replace view {{ schema }}.raw_event_lines as
        select
            cast(null as varchar) as source_file,
            cast(null as varchar) as raw_line,
            cast(null as varchar) as line_error
        where false
    {%- endset -%}
    {%- if files | length == 0 -%}
        {%- do run_query(create_recovered) -%}
        {%- do run_query(empty_view) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set all_at_once = create_recovered ~ ';\n' ~ duckdb__probe_event_lines(recovered, files, events_format) -%}
    {%- set error = duckdb__try_execute_with_spare_thread(all_at_once) -%}
    {%- set readable = files -%}
    {%- if error != '' -%}
        {%- do log('Reading the event files together failed (' ~ error[:300] ~ '); trying them one by one.', info=true) -%}
        {%- do run_query('select growth_try_execute(' ~ sql_string(create_recovered) ~ ')') -%}
        {%- set readable = duckdb__probe_files_one_by_one(schema, recovered, files, events_format) -%}
    {%- endif -%}
    {%- if readable | length == 0 -%}
        {%- set view_sql = empty_view ~ ' union all select * from ' ~ recovered -%}
    {%- else -%}
        {%- set view_sql -%}
            create or replace view {{ schema }}.raw_event_lines as
            {{ duckdb__event_lines_select(readable, events_format) }}
            union all
            select * from {{ recovered }}
        {%- endset -%}
    {%- endif -%}
    {%- do run_query(view_sql) -%}
    {{ return('') }}
{% endmacro %}

{#
    Each file on its own; returns the files that read. A file that fails
    gets its error in raw_event_files.read_error, and a damaged gzip file's
    readable lines are recovered.
#}
{% macro duckdb__probe_files_one_by_one(schema, recovered, files, events_format) %}
    {%- set attempts -%}
        select source_file, growth_try_execute(statement) as read_error
        from (
            values
            {% for file in files -%}
                ({{ sql_string(file) }}, {{ sql_string(duckdb__probe_event_lines(recovered, [file], events_format)) }})
                {{- ',' if not loop.last }}
            {% endfor %}
        ) as attempts (source_file, statement)
    {%- endset -%}
    {%- set readable = [] -%}
    {%- for row in run_query(attempts).rows -%}
        {%- set file = row[0] -%}
        {%- set read_error = row[1] -%}
        {%- if read_error == '' -%}
            {%- do readable.append(file) -%}
        {%- else -%}
            {%- if events_format == 'json' and file.endswith('.gz') -%}
                {%- set salvage -%}
                    insert into {{ recovered }}
                    select
                        {{ sql_string(file) }} as source_file,
                        line.raw_line,
                        case when not line.is_valid_utf8 then 'invalid_utf8' end as line_error
                    from (select unnest(growth_gzip_readable_lines({{ sql_string(file) }}).lines) as line) as readable;
                    select growth_gzip_readable_lines({{ sql_string(file) }}).incomplete_bytes
                {%- endset -%}
                {%- set cut_bytes = run_query(salvage).columns[0].values()[0] -%}
                {%- if cut_bytes > 0 -%}
                    {%- set read_error = read_error ~ ' (the lines before the damage were read; '
                        ~ cut_bytes ~ ' bytes of the line it cut were not)' -%}
                {%- endif -%}
            {%- endif -%}
            {%- do run_query(
                'update ' ~ schema ~ '.raw_event_files set read_error = ' ~ sql_string(read_error)
                ~ ' where source_file = ' ~ sql_string(file)
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(readable) }}
{% endmacro %}

{#
    growth_try_execute(statement) with one DuckDB thread more than set,
    given back after; returns its error ('' when it succeeded). The
    function waits inside one of DuckDB's threads for the statement it
    runs, which may then have the others only: with 2 threads, the first
    pass over the files ran on one core in six runs of nine (at 10M lines
    12.8 to 13.1 s, against 7.4 to 8.2 s when it had both). The spare
    thread's reader takes a line buffer of its own (256 MiB with the
    default max_line_bytes): a statement that runs out of memory with it
    is tried again on the threads set.
#}
{% macro duckdb__try_execute_with_spare_thread(statement) %}
    {%- set try_statement = 'select growth_try_execute(' ~ sql_string(statement) ~ ')' -%}
    {%- set threads = run_query("select current_setting('threads')").columns[0].values()[0] -%}
    {%- do run_query('set threads = ' ~ (threads + 1)) -%}
    {%- set error = run_query(try_statement).columns[0].values()[0] -%}
    {%- do run_query('set threads = ' ~ threads) -%}
    {%- if error.startswith('OutOfMemoryException') -%}
        {%- set error = run_query(try_statement).columns[0].values()[0] -%}
    {%- endif -%}
    {{ return(error) }}
{% endmacro %}

{# The file list as DuckDB patterns that match each file exactly. #}
{% macro duckdb__file_patterns(files) -%}
    [{% for file in files %}{{ sql_string(literal_file_pattern(file)) }}{{ ', ' if not loop.last }}{% endfor %}]
{%- endmacro %}

{#
    Reads every line of `files` (the reader's rejects skipped, see the probe):
    the body of the view raw_event_lines.
#}
{% macro duckdb__event_lines_select(files, events_format) %}
    {%- if events_format == 'parquet' -%}
        -- the row's own columns only: not the file name, nor the Hive
        -- partition columns that the data lake's folders add
        select
            filename as source_file,
            cast(
                to_json(struct_pack(*columns(
                    lambda column_name: column_name not in ('filename', 'datacenter', 'year', 'month', 'day', 'hour')
                ))) as varchar
            ) as raw_line,
            cast(null as varchar) as line_error
        from read_parquet({{ duckdb__file_patterns(files) }}, union_by_name = true, filename = true)
    {%- else -%}
        select
            filename as source_file,
            line as raw_line,
            cast(null as varchar) as line_error
        from read_csv(
            {{ duckdb__file_patterns(files) }},
            {{ duckdb__line_reader_options() }},
            ignore_errors = true
        )
    {%- endif -%}
{% endmacro %}

{#
    The first pass over `files`: reads every line (a failure here is caught
    by the caller) and appends the lines the reader rejected to `recovered`.
#}
{% macro duckdb__probe_event_lines(recovered, files, events_format) %}
    {%- if events_format == 'parquet' -%}
        select count(*) from read_parquet({{ duckdb__file_patterns(files) }}, union_by_name = true)
    {%- else -%}
        select count(*)
        from read_csv(
            {{ duckdb__file_patterns(files) }},
            {{ duckdb__line_reader_options() }},
            store_rejects = true,
            rejects_table = 'growth_rejected_reads',
            rejects_scan = 'growth_rejected_scans'
        );
        insert into {{ recovered }}
        select
            scans.file_path as source_file,
            errors.csv_line as raw_line,
            case errors.error_type
                when 'INVALID ENCODING' then 'invalid_utf8'
                when 'LINE SIZE OVER MAXIMUM' then 'line_too_long'
                else lower(replace(cast(errors.error_type as varchar), ' ', '_'))
            end as line_error
        from growth_rejected_reads as errors
        inner join growth_rejected_scans as scans
            on errors.scan_id = scans.scan_id and errors.file_id = scans.file_id
    {%- endif -%}
{% endmacro %}

{# One line per row: one VARCHAR column, no quoting, a delimiter JSON never holds raw. #}
{% macro duckdb__line_reader_options() -%}
    columns = {'line': 'VARCHAR'},
    delim = chr(31),
    quote = '',
    escape = '',
    header = false,
    auto_detect = false,
    strict_mode = false,
    max_line_size = {{ var('max_line_bytes') | int }},
    filename = true
{%- endmacro %}
