{#-
  One top-level field of a JSON document column, cast to `data_type`.
  RECORD_METADATA is a VARIANT on Snowflake and JSON text (VARCHAR or JSON) on DuckDB.
  `key` must be a plain identifier-like key (the Kafka connector's metadata keys are).
-#}
{% macro json_field(column, key, data_type='varchar') -%}
  {%- if not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', key) -%}
    {{ exceptions.raise_compiler_error("json_field: unsupported key " ~ key) }}
  {%- endif -%}
  {{ return(adapter.dispatch('json_field', 'order_pipeline')(column, key, data_type)) }}
{%- endmacro %}

{% macro default__json_field(column, key, data_type) -%}
  cast(json_extract_path_text({{ column }}, '{{ key }}') as {{ data_type }})
{%- endmacro %}

{% macro duckdb__json_field(column, key, data_type) -%}
  cast(json_extract_string({{ column }}, '$.{{ key }}') as {{ data_type }})
{%- endmacro %}

{% macro snowflake__json_field(column, key, data_type) -%}
  {#- path notation: a VARIANT string cast to varchar yields the bare string -#}
  cast({{ column }}:"{{ key }}" as {{ data_type }})
{%- endmacro %}
