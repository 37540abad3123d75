{#
    An ISO 8601 timestamp string as a UTC timestamp, else null.
    Accepted: YYYY-MM-DDThh:mm:ss (year 0001-9999, hour 00-23, minute and
    second 00-59), optional fraction of up to 6 digits, optional zone (`Z`
    or +hh:mm / -hh:mm, hh 00-23; none means UTC). Impossible dates such
    as 2025-02-30 give null.
#}
{% macro parse_iso_timestamp(text) %}
    {{ return(adapter.dispatch('parse_iso_timestamp', 'growth_enrollments')(text)) }}
{% endmacro %}

{#
    Other adapters: regular expressions and a cast that gives null instead
    of failing are not standard SQL.
#}
{% macro default__parse_iso_timestamp(text) %}
    {{ raise_unsupported_adapter('parse_iso_timestamp') }}
{% endmacro %}

{% macro iso_timestamp_pattern() -%}
    '^([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$'
{%- endmacro %}

{% macro duckdb__parse_iso_timestamp(text) %}
    case
        when not regexp_matches({{ text }}, {{ iso_timestamp_pattern() }}) then null
        -- an offset: convert to UTC (time-zone arithmetic, the slow path)
        when regexp_matches({{ text }}, '[+-][0-9]{2}:[0-9]{2}$')
            then cast(try_cast({{ text }} as timestamptz) at time zone 'UTC' as timestamp)
        -- `Z` or no zone: already UTC
        else try_cast({{ text }} as timestamp)
    end
{% endmacro %}

{#
    Spark: the session time zone must be UTC (the profile sets it), which a
    string without a zone is read in. try_cast gives null for impossible
    dates, in ANSI mode too.
#}
{% macro spark__parse_iso_timestamp(text) %}
    case
        when {{ text }} rlike {{ iso_timestamp_pattern() }}
            then try_cast({{ text }} as timestamp)
    end
{% endmacro %}
