-- MetricFlow's time spine: one row per UTC day from 2020-01-01 to
-- 2035-12-31 (the semantic layer joins cumulative metrics to it).
-- dbt's own cross-database date_spine, so it runs on DuckDB and Spark.
with

days as (
    {{ dbt.date_spine(
        'day',
        "cast('2020-01-01' as date)",
        "cast('2036-01-01' as date)"
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
