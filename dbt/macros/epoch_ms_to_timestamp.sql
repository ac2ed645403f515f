{#-
  Epoch milliseconds (a number) -> timestamp without time zone, in UTC.
  Datagen's ORDERTIME and Kafka's record timestamp are both epoch millis.
-#}
{% macro epoch_ms_to_timestamp(expression) -%}
  {{ return(adapter.dispatch('epoch_ms_to_timestamp', 'order_pipeline')(expression)) }}
{%- endmacro %}

{% macro default__epoch_ms_to_timestamp(expression) -%}
  cast(timestamp '1970-01-01 00:00:00' + ({{ expression }}) * interval '1 millisecond' as timestamp)
{%- endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(expression) -%}
  {#- epoch_ms(BIGINT) returns a naive TIMESTAMP in UTC -#}
  epoch_ms(cast({{ expression }} as bigint))
{%- endmacro %}

{% macro snowflake__epoch_ms_to_timestamp(expression) -%}
  to_timestamp_ntz(cast({{ expression }} as number(38, 0)), 3)
{%- endmacro %}
