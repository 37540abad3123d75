{#
    One variant pair as compact JSON text,
    `{"first_variant":"a","second_variant":"b","units":12}`, escaped by the
    engine's own JSON writer (DuckDB to_json, Spark to_json), so that any
    variant name (with `|`, `: `, `, `, quotes ...) reads back unchanged.
#}
{% macro json_variant_pair(first_variant, second_variant, units) %}
    {{ return(adapter.dispatch('json_variant_pair', 'growth_enrollments')(first_variant, second_variant, units)) }}
{% endmacro %}

{#
    Other adapters: the text is the engine's own JSON writer's, and no JSON
    writer is portable.
#}
{% macro default__json_variant_pair(first_variant, second_variant, units) %}
    {{ raise_unsupported_adapter('json_variant_pair') }}
{% endmacro %}

{% macro duckdb__json_variant_pair(first_variant, second_variant, units) %}
    cast(to_json(struct_pack(
        first_variant := {{ first_variant }},
        second_variant := {{ second_variant }},
        units := cast({{ units }} as bigint)
    )) as {{ dbt.type_string() }})
{% endmacro %}

{% macro spark__json_variant_pair(first_variant, second_variant, units) %}
    to_json(named_struct(
        'first_variant', {{ first_variant }},
        'second_variant', {{ second_variant }},
        'units', cast({{ units }} as bigint)
    ))
{% endmacro %}
