{#
    DuckDB: a query of the rows of `relation` where `condition` holds (on
    the relation aliased `alias`), read in two passes: the columns the
    condition names, of every row; then, by rowid, every column of the rows
    that matched only. An incremental model that finds its few changed rows
    in a history table by a join on a key reads the rest of each row for
    the matches alone (EXPLAIN ANALYZE of int_events_deduplicated at 10M
    lines: 0.70 s, against 0.91 s for one pass; benchmarks/README.md).
#}
{% macro late_materialized_rows(relation, alias, condition) %}
    select whole_rows.*
    from {{ relation }} as whole_rows
    where whole_rows.rowid in (
        select {{ alias }}.rowid
        from {{ relation }} as {{ alias }}
        where {{ condition }}
    )
{% endmacro %}
