{{ config(materialized=('view' if target.type == 'duckdb' else 'table')) }}  {# Spark: served as Parquet #}

-- A view over the incrementally judged sends (int_sends_evaluated): nothing to rebuild,
-- never out of step with the verdicts.
-- Every ingested send (latest version of each), judged at its own time.
with

evaluated as (
    select * from {{ ref('int_sends_evaluated') }}
),

final as (
    select
        send_id,
        source_system,
        person_key,
        email,
        campaign_id,
        channel,
        legal_basis,
        promoted_category,
        sent_at,
        violation_count = 0 as is_compliant,
        violation_count,
        lawful_basis_ref,
        has_opt_out_link,
        controller,
        source_file,
        source_line
    from (
        select
            *,
            {{ violation_count() }} as violation_count
        from evaluated
    ) as counted
)

select * from final
