{{ config(materialized=('view' if target.type == 'duckdb' else 'table')) }}  {# Spark: served as Parquet #}

-- A view over the incrementally judged sends (int_sends_evaluated): nothing to rebuild,
-- never out of step with the verdicts.
-- The audit trail behind GDPR art. 5(2): every event of a person, in time order, each with
-- the record it comes from. Sales, authorizations, notices shown, consents, oppositions,
-- sends and violations.
with

order_lines as (
    select * from {{ ref('int_order_lines_informed') }}
    where person_key is not null
),

consent_events as (
    select * from {{ ref('int_consent_events_unioned') }}
    where person_key is not null
),

oppositions as (
    select * from {{ ref('int_oppositions_unioned') }}
    where person_key is not null
),

sends as (
    select * from {{ ref('sends_checked') }}
    where person_key is not null
),

violations as (
    select * from {{ ref('violations') }}
    where person_key is not null
),

sale_events as (
    select
        person_key,
        email,
        ordered_at as event_at,
        'sale' as event_type,
        concat(
            'order ', order_id, ' line ', line_id, ': category ', coalesce(product_category, 'unknown'),
            case when is_paid then ', paid' else ', unpaid' end,
            ', ', status, ', controller ', controller
        ) as detail,
        source_system,
        order_line_id as source_ref
    from order_lines
),

notice_events as (
    select
        person_key,
        email,
        ordered_at as event_at,
        'privacy_notice' as event_type,
        concat(
            'privacy notice ', coalesce(resolved_notice_version, 'none in force'), ' shown at order ', order_id,
            case when is_informed then ' (soft-spam clause: yes)' else ' (soft-spam clause: no)' end,
            case when is_refused_at_collection then '; buyer refused promotional e-mail' else '' end
        ) as detail,
        source_system,
        order_line_id as source_ref
    from order_lines
),

authorization_events as (
    select
        person_key,
        email,
        ordered_at as event_at,
        'authorization' as event_type,
        concat(
            'soft-spam authorization for categories analogous to ', coalesce(product_category, 'unknown'),
            case
                when is_informed and not is_refused_at_collection then ''
                when not is_informed then ' (not informed: does not authorize)'
                else ' (refused at collection: does not authorize)'
            end
        ) as detail,
        source_system,
        order_line_id as source_ref
    from order_lines
    where is_qualifying
),

consent_timeline as (
    select
        person_key,
        email,
        event_at,
        case status
            when 'granted' then 'consent_granted'
            when 'withdrawn' then 'consent_withdrawn'
            else 'consent_unreadable'
        end as event_type,
        concat(
            'consent ', coalesce(status, 'unknown status'), ' for channel ', coalesce(channel, 'unknown'),
            case when evidence_ref is not null then concat(' (evidence: ', evidence_ref, ')') else '' end
        ) as detail,
        source_system,
        consent_id as source_ref
    from consent_events
),

opposition_timeline as (
    select
        person_key,
        email,
        opposed_at as event_at,
        'opposition' as event_type,
        concat(
            'opposition, scope ', scope,
            case when is_scope_defaulted then ' (scope missing or unknown, read as all_marketing)' else '' end,
            ', via ', coalesce(request_channel, 'unknown channel'), ' (', origin, ')'
        ) as detail,
        source_system,
        opposition_id as source_ref
    from oppositions
),

send_timeline as (
    select
        person_key,
        email,
        sent_at as event_at,
        'send' as event_type,
        concat(
            'campaign ', coalesce(campaign_id, 'unknown'), ' on ', coalesce(channel, 'unknown channel'),
            ' about ', coalesce(promoted_category, 'unknown'), ', basis ', coalesce(legal_basis, 'none'),
            case when is_compliant then ', compliant' else concat(', ', violation_count, ' violation(s)') end
        ) as detail,
        source_system,
        send_id as source_ref
    from sends
),

violation_timeline as (
    select
        person_key,
        email,
        sent_at as event_at,
        'violation' as event_type,
        concat(rule_code, ' (', coalesce(severity, 'unknown'), '): ', evidence) as detail,
        source_system,
        send_id as source_ref
    from violations
),

unioned as (
    select * from sale_events
    union all
    select * from notice_events
    union all
    select * from authorization_events
    union all
    select * from consent_timeline
    union all
    select * from opposition_timeline
    union all
    select * from send_timeline
    union all
    select * from violation_timeline
),

final as (
    select
        person_key,
        email,
        event_at,
        event_type,
        detail,
        source_system,
        source_ref
    from unioned
)

select * from final
