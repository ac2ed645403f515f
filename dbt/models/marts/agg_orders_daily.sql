{#- Orders per calendar day (UTC) of the order time. -#}
select
    order_date,
    count(*)                              as order_count,
    sum(order_units)                      as total_units,
    avg(order_units)                      as avg_units_per_order,
    count(distinct item_id)               as distinct_items,
    count(distinct state)                 as distinct_states,
    min(ordered_at)                       as first_ordered_at,
    max(ordered_at)                       as last_ordered_at
from {{ ref('fct_orders') }}
group by order_date
