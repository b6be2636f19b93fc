{{ config(materialized=('view' if target.type == 'duckdb' else 'table')) }}  {# Spark: served as Parquet #}

-- May we e-mail (or text, call...) this person about this category now? One row per known
-- person, product category and marketing channel, at the run's evaluation time (var as_of).
-- A view over int_audience_eligibility, which re-judges only the persons with new facts.
with

eligibility as (
    select * from {{ ref('int_audience_eligibility') }}
),

final as (
    select
        person_key,
        email,
        product_category,
        channel,
        is_eligible,
        legal_basis,
        blocking_reason,
        evaluated_at
    from eligibility
)

select * from final
