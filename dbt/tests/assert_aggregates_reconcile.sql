{#- Every aggregate mart adds up to the fact table. -#}
with f as (
    select count(*) as n, coalesce(sum(order_units), 0) as units from {{ ref('fct_orders') }}
),
totals as (
    select 'agg_orders_daily' as mart, sum(order_count) as n, coalesce(sum(total_units), 0) as units
    from {{ ref('agg_orders_daily') }}
    union all
    select 'agg_orders_by_state', sum(order_count), coalesce(sum(total_units), 0)
    from {{ ref('agg_orders_by_state') }}
    union all
    select 'agg_orders_by_item', sum(order_count), coalesce(sum(total_units), 0)
    from {{ ref('agg_orders_by_item') }}
)
select t.mart, t.n, f.n as fct_count, t.units, f.units as fct_units
from totals as t cross join f
where coalesce(t.n, 0) <> f.n or abs(t.units - f.units) > 0.000001 * greatest(1, abs(f.units))
