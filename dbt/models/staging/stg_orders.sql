{#-
  Live orders: one row per order_id (its latest loaded version), deleted orders removed.
  In upsert mode the loader already keeps one row per ORDERID; the de-duplication also makes
  an append-only table (no keyFields) safe.
-#}
with changes as (

    select * from {{ ref('base_orders__changes') }}

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
    ordertime_epoch_ms,
    item_id,
    order_units,
    city,
    state,
    zip_code,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    kafka_timestamp,
    kafka_key,
    loaded_at
from latest
where not is_deleted
