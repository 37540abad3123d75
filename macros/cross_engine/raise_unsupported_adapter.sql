{#
    Called by the `default__` implementation of a dispatched macro that has
    no portable SQL form: fails compilation with a message that names the
    macro and the adapter. The project runs on DuckDB and Spark; another
    adapter needs its own `<adapter>__<macro>` next to those two.
#}
{% macro raise_unsupported_adapter(macro_name) %}
    {{ exceptions.raise_compiler_error(
        "The macro " ~ macro_name ~ " has no implementation for the adapter '" ~ target.type
        ~ "': this project runs on duckdb and spark only, and " ~ macro_name ~ " has no portable SQL form. "
        ~ "Write " ~ target.type ~ "__" ~ macro_name ~ " next to duckdb__" ~ macro_name
        ~ " and spark__" ~ macro_name ~ "."
    ) }}
{% endmacro %}
