{#-
  Every row of the loader's table, renamed and typed, tombstones included.
  stg_orders (live orders) and fct_orders (incremental, needs to see deletions) build on it.
-#}
with source as (

    select * from {{ source('orders_pipeline', 'orders') }}

),

renamed as (

    select
        cast(ORDERID as bigint)                                    as order_id,
        {{ epoch_ms_to_timestamp('ORDERTIME') }}                   as ordered_at,
        cast(ORDERTIME as bigint)                                  as ordertime_epoch_ms,
        cast(ITEMID as varchar)                                    as item_id,
        cast(ORDERUNITS as double precision)                       as order_units,
        cast(ADDRESS_CITY as varchar)                              as city,
        cast(ADDRESS_STATE as varchar)                             as state,
        cast(ADDRESS_ZIPCODE as bigint)                            as zip_code,
        {{ json_field('RECORD_METADATA', 'topic', 'varchar') }}    as kafka_topic,
        {{ json_field('RECORD_METADATA', 'partition', 'integer') }} as kafka_partition,
        {{ json_field('RECORD_METADATA', 'offset', 'bigint') }}    as kafka_offset,
        {{ epoch_ms_to_timestamp(json_field('RECORD_METADATA', 'timestamp', 'bigint')) }} as kafka_timestamp,
        {{ json_field('RECORD_METADATA', 'key', 'varchar') }}      as kafka_key,
        coalesce(_DELETED, false)                                  as is_deleted,
        cast(_LOADED_AT as timestamp)                              as loaded_at

    from source

)

select * from renamed
