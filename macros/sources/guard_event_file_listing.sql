{#
    Stops a run before it reads anything when the file listing is empty but
    history exists (an unmounted data lake, a mistyped events_path): such a
    run would be green and empty. Set var allow_empty_listing to true when
    no file is expected. A history rebuild (--full-refresh with var
    rebuild_history) from no files is always refused: it would wipe every
    kept event.
#}
{% macro guard_event_file_listing(files_found) %}
    {%- if files_found > 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- if is_history_rebuild() -%}
        {{ exceptions.raise_compiler_error(
            "events_path '" ~ var('events_path') ~ "' matches no file: refusing to rebuild history from no files "
            ~ "(it would delete every kept event). Check the path, or drop rebuild_history."
        ) }}
    {%- endif -%}
    {%- set file_log = load_relation(source('growth_enrollments_state', 'state_file_reads')) -%}
    {%- if file_log is none or var('allow_empty_listing') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set files_read = run_query('select count(*) from ' ~ file_log).columns[0].values()[0] -%}
    {%- if files_read > 0 -%}
        {{ exceptions.raise_compiler_error(
            "events_path '" ~ var('events_path') ~ "' matches no file, but " ~ files_read
            ~ " files were read before: is the data lake mounted? Nothing was changed. "
            ~ "If no file is expected, run with --vars '{allow_empty_listing: true}'."
        ) }}
    {%- endif -%}
{% endmacro %}
