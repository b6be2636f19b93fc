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
        has_opt_out_link,
        controller,
        source_file,
        source_line
    from (
        select
            *,
            cast(is_no_legal_basis as integer)
            + cast(is_non_email_channel as integer)
            + cast(is_no_opt_out_link as integer)
            + cast(is_sent_after_opposition as integer)
            + cast(is_consent_missing as integer)
            + case when chain_failure is not null then 1 else 0 end as violation_count
        from evaluated
    ) as counted
)

select * from final
