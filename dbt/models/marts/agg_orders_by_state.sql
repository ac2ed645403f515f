{#- Orders per delivery state. -#}
select
    state,
    count(*)                              as order_count,
    sum(order_units)                      as total_units,
    avg(order_units)                      as avg_units_per_order,
    count(distinct city)                  as distinct_cities,
    count(distinct item_id)               as distinct_items,
    min(ordered_at)                       as first_ordered_at,
    max(ordered_at)                       as last_ordered_at
from {{ ref('fct_orders') }}
group by state
