{#-
  Fails on purpose only when run with --vars '{fail_demo_test: true}', so that automated tests
  can check how a failing dbt test is reported (run summary, termination message, status).
-#}
{{ config(tags=['demo']) }}
{% if var('fail_demo_test', false) %}
select 1 as deliberate_failure
{% else %}
select 1 as deliberate_failure where 1 = 0
{% endif %}
