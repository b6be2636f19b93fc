{#
  A view: built on every run for nothing, and read only for the few persons an evidence pack or a
  test asks about; a table would copy every send's lineage again.
#}
{{ config(materialized='view') }}

-- The chain of custody (GDPR art. 5(2)): every fact a verdict can quote, under the reference
-- the verdicts use for it, resolved to the landed file it was read from (name, kind, SHA-256
-- of its bytes, load time, from the load ledger) and the physical line where its row starts.
-- Sale lines are quoted as `source_system:order_id:line_id` (violations.evidence_ref of the
-- chain, sends_checked.lawful_basis_ref of a soft-spam send), objections of every origin by
-- opposition_id (SENT_AFTER_OPPOSITION), consent events by consent_id (CONSENT_MISSING, the
-- lawful basis of a consent-based send), sends by send_id.
with

sale_lines as (
    select * from {{ ref('int_order_lines_unioned') }}
),

oppositions as (
    select * from {{ ref('int_oppositions_unioned') }}
),

consent_events as (
    select * from {{ ref('int_consent_events_unioned') }}
),

sends as (
    select * from {{ ref('stg_landing__sends') }}
),

file_loads as (
    select * from {{ ref('stg_landing__file_loads') }}
),

facts as (
    select
        'sale_line' as fact_type,
        cast(null as {{ dbt.type_string() }}) as origin,
        order_line_id as fact_ref,
        source_system,
        person_key,
        ordered_at as fact_at,
        load_id,
        source_line
    from sale_lines
    union all
    select
        'opposition' as fact_type,
        origin,
        opposition_id as fact_ref,
        source_system,
        person_key,
        opposed_at as fact_at,
        load_id,
        source_line
    from oppositions
    union all
    select
        'consent_event' as fact_type,
        cast(null as {{ dbt.type_string() }}) as origin,
        consent_id as fact_ref,
        source_system,
        person_key,
        event_at as fact_at,
        load_id,
        source_line
    from consent_events
    union all
    select
        'send' as fact_type,
        cast(null as {{ dbt.type_string() }}) as origin,
        send_id as fact_ref,
        source_system,
        person_key,
        sent_at as fact_at,
        load_id,
        source_line
    from sends
),

final as (
    select
        facts.fact_type,
        facts.origin,
        facts.fact_ref,
        facts.source_system,
        facts.person_key,
        facts.fact_at,
        facts.load_id,
        file_loads.file_name,
        file_loads.kind,
        file_loads.format,
        file_loads.content_sha256,
        file_loads.loaded_at,
        facts.source_line
    from facts
    inner join file_loads
        on facts.load_id = file_loads.load_id
)

select * from final
