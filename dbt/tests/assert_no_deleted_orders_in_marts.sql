{#- No order whose latest loaded version is a tombstone may remain in fct_orders. -#}
with latest as (

    select order_id, is_deleted
    from {{ ref('base_orders__changes') }}
    qualify row_number() over (
        partition by order_id order by loaded_at desc, kafka_offset desc
    ) = 1

)

select f.order_id
from {{ ref('fct_orders') }} as f
join latest as l on l.order_id = f.order_id
where l.is_deleted or f.is_deleted
