{#-
  One row per live order. Incremental: each run merges (on order_id) the rows the loader wrote
  since the newest loaded_at already here, minus a lookback window for late commits.
  Tombstoned orders are merged in with is_deleted = true and removed by the post-hook, so the
  table never holds a deleted order after a run.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='order_id',
        on_schema_change='append_new_columns',
        post_hook=["delete from {{ this }} where is_deleted"]
    )
}}

with changes as (

    select * from {{ ref('base_orders__changes') }}

    {% if is_incremental() %}
    where loaded_at >= (
        select {{ dbt.dateadd('minute', -1 * var('fct_orders_lookback_minutes', 60) | int,
                              "coalesce(max(loaded_at), cast('1970-01-01' as timestamp))") }}
        from {{ this }}
    )
    {% endif %}

),

latest as (

    select *
    from changes
    qualify row_number() over (
        partition by order_id
        order by loaded_at desc, kafka_offset desc
    ) = 1

)

select
    order_id,
    ordered_at,
    cast(ordered_at as date)  as order_date,
    item_id,
    order_units,
    city,
    state,
    zip_code,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    loaded_at,
    is_deleted
from latest
{% if not is_incremental() %}
{#- a fresh build has nothing to delete: leave tombstoned orders out from the start -#}
where not is_deleted
{% endif %}
