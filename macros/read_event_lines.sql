{#
    DuckDB: reads the lines of `files` into the table `raw_event_lines`
    (source_file, raw_line, line_error), every line accounted for:
    - one native pass over every file (read_csv, or read_parquet with
      events_format parquet). A line that is not UTF-8, or longer than var
      max_line_bytes, is kept with its `line_error` (`invalid_utf8`,
      `line_too_long`) and the text the reader saw, instead of failing the
      pass (DuckDB's `store_rejects`);
    - when the pass fails as a whole (a damaged or fake gzip file, a file
      deleted since it was listed), it is undone and each file is read on
      its own: the files that fail get their error in `read_error` of
      `raw_event_files`, and a damaged gzip file its lines that decompress
      (plugins/event_file_reader.py).
    A line holding the byte 0x1F is read up to that byte (the column
    delimiter; valid JSON never holds it raw).
#}
{% macro duckdb__read_event_lines(schema, files, events_format) %}
    {%- set lines = schema ~ '.raw_event_lines' -%}
    {%- set create_lines = 'create or replace table ' ~ lines
        ~ ' (source_file varchar, raw_line varchar, line_error varchar)' -%}
    {%- if files | length == 0 -%}
        {%- do run_query(create_lines) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set all_at_once = create_lines ~ ';\n' ~ duckdb__insert_event_lines(lines, files, events_format) -%}
    {%- set error = run_query('select growth_try_execute(' ~ sql_string(all_at_once) ~ ')').columns[0].values()[0] -%}
    {%- if error == '' -%}
        {{ return('') }}
    {%- endif -%}
    {%- do log('Reading the event files together failed (' ~ error[:300] ~ '); reading them one by one.', info=true) -%}
    {%- do run_query('select growth_try_execute(' ~ sql_string(create_lines) ~ ')') -%}
    {%- set one_by_one -%}
        select source_file, growth_try_execute(statement) as read_error
        from (
            values
            {% for file in files -%}
                ({{ sql_string(file) }}, {{ sql_string(duckdb__insert_event_lines(lines, [file], events_format)) }})
                {{- ',' if not loop.last }}
            {% endfor %}
        ) as attempts (source_file, statement)
    {%- endset -%}
    {%- for row in run_query(one_by_one).rows if row[1] != '' -%}
        {%- set file = row[0] -%}
        {%- set read_error = row[1] -%}
        {%- if events_format == 'json' and file.endswith('.gz') -%}
            {%- set salvage -%}
                insert into {{ lines }}
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
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{# The statements that append the lines of `files` to `lines`, the reader's rejects included. #}
{% macro duckdb__insert_event_lines(lines, files, events_format) %}
    {%- set patterns = [] -%}
    {%- for file in files -%}
        {%- do patterns.append(sql_string(literal_file_pattern(file))) -%}
    {%- endfor -%}
    {%- if events_format == 'parquet' -%}
        insert into {{ lines }}
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
        from read_parquet([{{ patterns | join(', ') }}], union_by_name = true, filename = true)
    {%- else -%}
        insert into {{ lines }}
        select
            filename as source_file,
            line as raw_line,
            cast(null as varchar) as line_error
        from read_csv(
            [{{ patterns | join(', ') }}],
            columns = {'line': 'VARCHAR'},
            delim = chr(31),
            quote = '',
            escape = '',
            header = false,
            auto_detect = false,
            strict_mode = false,
            max_line_size = {{ var('max_line_bytes') | int }},
            filename = true,
            store_rejects = true,
            rejects_table = 'growth_rejected_reads',
            rejects_scan = 'growth_rejected_scans'
        );
        insert into {{ lines }}
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
