{#
    Rule 4: the assignments an event carries, as a list of
    struct(experiment, variant). Every pair of `experiments.assigned` whose
    experiment name and variant are non-empty strings, plus the singular
    `experiment` object (enrolled -> assigned) when it is complete and its
    experiment has no such pair in the map.
#}
{% macro usable_assignments(assigned_experiments, experiment_enrolled, experiment_assigned) %}
    {{ return(adapter.dispatch('usable_assignments', 'growth_enrollments')(
        assigned_experiments, experiment_enrolled, experiment_assigned
    )) }}
{% endmacro %}

{#
    Other adapters: list functions with lambdas and list literals differ on
    every engine.
#}
{% macro default__usable_assignments(assigned_experiments, experiment_enrolled, experiment_assigned) %}
    {{ raise_unsupported_adapter('usable_assignments') }}
{% endmacro %}

{% macro duckdb__usable_assignments(assigned_experiments, experiment_enrolled, experiment_assigned) %}
    {%- set from_map -%}
        coalesce(
            list_filter(
                {{ assigned_experiments }},
                lambda pair: coalesce(pair.experiment <> '' and pair.variant <> '', false)
            ),
            []
        )
    {%- endset -%}
    list_concat(
        {{ from_map }},
        case
            when {{ experiment_enrolled }} <> ''
                and {{ experiment_assigned }} <> ''
                and not list_contains(
                    list_transform({{ from_map }}, lambda pair: pair.experiment),
                    {{ experiment_enrolled }}
                )
                then [{'experiment': {{ experiment_enrolled }}, 'variant': {{ experiment_assigned }}}]
            else []
        end
    )
{% endmacro %}

{#
    Spark: an empty array literal has no element type, so the empty cases are
    built by filtering a one-element array of the right struct type.
#}
{% macro spark__usable_assignments(assigned_experiments, experiment_enrolled, experiment_assigned) %}
    {%- set singular -%}
        array(named_struct('experiment', {{ experiment_enrolled }}, 'variant', {{ experiment_assigned }}))
    {%- endset -%}
    {%- set from_map -%}
        filter(
            coalesce({{ assigned_experiments }}, filter({{ singular }}, nothing -> false)),
            entry -> coalesce(entry.experiment <> '' and entry.variant <> '', false)
        )
    {%- endset -%}
    concat(
        {{ from_map }},
        filter(
            {{ singular }},
            candidate -> coalesce(
                candidate.experiment <> ''
                and candidate.variant <> ''
                and not array_contains(transform({{ from_map }}, kept -> kept.experiment), candidate.experiment),
                false
            )
        )
    )
{% endmacro %}
