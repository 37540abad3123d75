{#
    How Spark finds the files of a glob such as `data/**/*.json*`:
    `folder` (the part before the first segment with a wildcard), `recursive`
    (the pattern has `**`) and `file_pattern` (the last segment, matched
    against file names). Without `**` the whole glob is handed to Hadoop,
    which expands `*`, `?`, `[...]` and `{a,b}` in any segment. A `**` must
    be followed by the file-name pattern only.
#}
{% macro spark_event_files_location(events_path) %}
    {%- set segments = events_path.split('/') -%}
    {%- set first_glob = namespace(index=none) -%}
    {%- for segment in segments -%}
        {%- if first_glob.index is none and (('*' in segment) or ('?' in segment) or ('[' in segment) or ('{' in segment)) -%}
            {%- set first_glob.index = loop.index0 -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if '**' not in events_path -%}
        {{ return({'folder': events_path, 'recursive': false, 'file_pattern': none}) }}
    {%- endif -%}
    {%- set rest = segments[first_glob.index:] -%}
    {%- if rest | length != 2 or rest[0] != '**' or '**' in rest[1] -%}
        {{ exceptions.raise_compiler_error(
            "On Spark, events_path must be a folder, then '**', then a file-name pattern "
            ~ "(e.g. 'events/**/*.json*'), or a Hadoop glob without '**'; got '" ~ events_path ~ "'"
        ) }}
    {%- endif -%}
    {%- set folder = segments[:first_glob.index] | join('/') -%}
    {{ return({'folder': folder if folder else '.', 'recursive': true, 'file_pattern': rest[1]}) }}
{% endmacro %}

{# The location URI of a Spark table (e.g. file:/data/events), from its extended description. #}
{% macro spark_table_location(relation_name) %}
    {%- set description = run_query('describe table extended ' ~ relation_name) -%}
    {%- for row in description.rows -%}
        {%- if row[0] == 'Location' -%}
            {{ return(row[1]) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('No location found for ' ~ relation_name) }}
{% endmacro %}

{#
    A file path as DuckDB's glob writes it: the folder as written in
    events_path, then the path below the folder's location URI (Spark gives
    absolute URIs such as file:/abs/folder/sub/file.json).
#}
{% macro spark_source_file_path(path_uri, folder_uri, folder) %}
    {%- set prefix = '' if folder == '.' else folder.rstrip('/') ~ '/' -%}
    case
        when startswith({{ path_uri }}, '{{ folder_uri.rstrip('/') }}/')
            then concat('{{ prefix }}', substr({{ path_uri }}, {{ folder_uri.rstrip('/') | length + 2 }}))
        else regexp_replace({{ path_uri }}, '^file:', '')
    end
{% endmacro %}

{# _metadata.file_path is percent-encoded; '+' is kept as is there, so it must not become a space. #}
{% macro spark_decoded_uri(uri) -%}
    url_decode(replace({{ uri }}, '+', '%2B'))
{%- endmacro %}
