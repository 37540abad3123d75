{#
    Helpers for reading raw JSON lines on Spark exactly as DuckDB does.

    Spark's from_json reads any JSON value into a string field: the number 12
    and the string "12" both come out as '12', so the JSON type a rule needs
    (`performer.id` must be an integer, a variant a string) is lost. Before
    parsing, spark_mark_json_strings therefore prefixes the text of every
    JSON string value with the character U+0001 (written as the escape
    \u0001, so the line stays valid JSON exactly when it was); object keys
    are left as they are. After parsing, a string field whose text starts
    with U+0001 held a JSON string, anything else held a number, boolean,
    object or array (its JSON text). spark_unmarked gives DuckDB's VARCHAR
    reading of such a field.

    The regular expression below matches one whole JSON string token (quotes,
    escapes and all) with possessive quantifiers, so it neither backtracks
    into a token nor overflows on long strings. Scanning left to right it
    stays aligned with the tokens of any valid JSON text, since outside
    strings a JSON text has no quote.
#}

{% macro spark_json_string_token() -%}
    "([^"\\\\]*+(?:\\\\.[^"\\\\]*+)*+)"
{%- endmacro %}

{# The text with every JSON string value marked (object keys unmarked). #}
{% macro spark_mark_json_strings(text) -%}
    regexp_replace(
        regexp_replace({{ text }}, '{{ spark_json_string_token() }}', '"\\\\u0001$1"'),
        '"\\\\u0001{{ spark_json_string_token()[1:] }}(\\s*+:)',
        '"$1"$2'
    )
{%- endmacro %}

{#
    Options of every from_json on raw text: strict JSON as DuckDB reads it
    (Spark's reader accepts 'single quotes' and NaN by default).
#}
{% macro spark_json_options() -%}
    map('mode', 'PERMISSIVE', 'allowSingleQuotes', 'false', 'allowNonNumericNumbers', 'false')
{%- endmacro %}

{#
    The marked text of a raw line when the whole line is one JSON object,
    else null. from_json stops after the first JSON value and ignores what
    follows it, so the line is parsed inside the array [line,"end"]: a
    complete parse ends with the sentinel string "end", which no marked
    string of the line can equal (those all start with U+0001). The result is
    the object as Spark re-serialises it: compact, strings still marked.
#}
{% macro spark_json_object_text(raw_line) -%}
    element_at(
        transform(
            array(from_json(
                concat('[', {{ spark_mark_json_strings(raw_line) }}, ',"end"]'),
                'array<string>',
                {{ spark_json_options() }}
            )),
            {#- nested, so that no index is read past the end (an error in ANSI mode) -#}
            wrapped -> case
                when size(wrapped) = 2 then case
                    when wrapped[1] = 'end' and left(wrapped[0], 1) = '{' then wrapped[0]
                end
            end
        ),
        1
    )
{%- endmacro %}

{# DuckDB's VARCHAR reading of a marked field: a string's text, or the JSON text of any other value. #}
{% macro spark_unmarked(value) -%}
    case when left({{ value }}, 1) = chr(1) then substr({{ value }}, 2) else {{ value }} end
{%- endmacro %}
