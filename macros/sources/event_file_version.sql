{#
    The version of a raw file as it was read: a key of its path, size and
    modification time (microseconds). A file whose size or modification time
    changes is a new version, read again; what the old version contributed
    is replaced (models/state/).
#}
{% macro event_file_version(path, size, modified_at) %}
    md5(concat(
        {{ path }}, '|',
        cast({{ size }} as {{ dbt.type_string() }}), '|',
        cast({{ epoch_microseconds(modified_at) }} as {{ dbt.type_string() }})
    ))
{% endmacro %}
