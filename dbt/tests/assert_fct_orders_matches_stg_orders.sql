{#-
  The incremental fact holds exactly the live orders: same count and same total units as the
  staging view (which recomputes from the whole source table).
-#}
with f as (
    select count(*) as n, coalesce(sum(order_units), 0) as units from {{ ref('fct_orders') }}
),
s as (
    select count(*) as n, coalesce(sum(order_units), 0) as units from {{ ref('stg_orders') }}
)
select f.n as fct_count, s.n as stg_count, f.units as fct_units, s.units as stg_units
from f cross join s
where f.n <> s.n or abs(f.units - s.units) > 0.000001 * greatest(1, abs(s.units))
