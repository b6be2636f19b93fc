-- A table rebuilt each run from the incrementally judged sends (int_sends_evaluated): it is
-- small (one row per broken rule), read by every check, test, export and the report.
-- One row per (send, broken rule), naming the rule, its severity and the evidence behind it.
-- Each rule reads the send's columns itself from the table (no join of the broken rules back to
-- ten million sends; no import CTE either: a CTE read six times is materialized, every wide row).
{%- set send_columns -%}
    send_id,
        source_system,
        person_key,
        email,
        campaign_id,
        channel,
        legal_basis,
        promoted_category,
        sent_at,
        controller
{%- endset %}

with

rules as (
    select * from {{ ref('stg_reference__compliance_rules') }}
),

no_legal_basis as (
    select
        {{ send_columns }},
        'NO_LEGAL_BASIS' as rule_code,
        case
            when legal_basis is null then 'no legal basis claimed'
            else concat('legal basis ''', legal_basis, ''' is neither soft_spam nor consent')
        end as evidence,
        cast(null as string) as evidence_ref
    from {{ ref('int_sends_evaluated') }}
    where is_no_legal_basis
),

non_email_channel as (
    select
        {{ send_columns }},
        'NON_EMAIL_CHANNEL' as rule_code,
        concat(
            'soft spam claimed on channel ''', coalesce(channel, 'none'),
            '''; soft spam covers e-mail only'
        ) as evidence,
        cast(null as string) as evidence_ref
    from {{ ref('int_sends_evaluated') }}
    where is_non_email_channel
),

no_opt_out_link as (
    select
        {{ send_columns }},
        'NO_OPT_OUT_LINK' as rule_code,
        concat(
            'has_opt_out_link was ''', coalesce(has_opt_out_link_text, ''),
            '''; the message carried no opt-out'
        ) as evidence,
        cast(null as string) as evidence_ref
    from {{ ref('int_sends_evaluated') }}
    where is_no_opt_out_link
),

sent_after_opposition as (
    select
        {{ send_columns }},
        'SENT_AFTER_OPPOSITION' as rule_code,
        concat(
            'sent ', {{ format_utc('sent_at') }}, ', ',
            {{ format_hours(hours_between('covering_opposed_at', 'sent_at')) }},
            ' h after opposition ', covering_opposition_id,
            ' (', covering_source_system, ', scope ', covering_scope, ', ',
            {{ format_utc('covering_opposed_at') }}, ')'
        ) as evidence,
        covering_opposition_id as evidence_ref
    from {{ ref('int_sends_evaluated') }}
    where is_sent_after_opposition
),

consent_missing as (
    select
        {{ send_columns }},
        'CONSENT_MISSING' as rule_code,
        case
            when consent_id is null
                then concat(
                        'no consent event for channel ''', coalesce(channel, 'none'),
                        ''' at or before ', {{ format_utc('sent_at') }}
                    )
            else concat(
                    'latest consent event for channel ''', channel, ''' before the send is not a grant: ',
                    consent_id, ' at ', {{ format_utc('consent_event_at') }}
                )
        end as evidence,
        consent_id as evidence_ref
    from {{ ref('int_sends_evaluated') }}
    where is_consent_missing
),

soft_spam_chain as (
    select
        {{ send_columns }},
        chain_failure as rule_code,
        case chain_failure
            when 'NO_SALE_RELATIONSHIP'
                then concat(
                        'no paid, non-cancelled sale to this person by controller ''', controller,
                        ''' at or before ', {{ format_utc('sent_at') }}
                    )
            when 'NOT_ANALOGOUS'
                then concat(
                        'qualifying sale ', first_qualifying_ref, ' (category ''',
                        coalesce(first_qualifying_category, 'unknown'), ''', ',
                        {{ format_utc('first_qualifying_at') }}, ') but none in a category analogous to ''',
                        coalesce(promoted_category, 'none'), ''''
                    )
            when 'NOT_INFORMED'
                then concat(
                        'analogous sale ', first_analogous_ref, ' (', {{ format_utc('first_analogous_at') }},
                        ') under notice ''', coalesce(first_analogous_notice, 'none in force'),
                        ''' without the soft-spam clause; no informed analogous sale'
                    )
            when 'AUTHORIZATION_EXPIRED'
                then concat(
                        'latest informed analogous sale ', latest_informed_ref, ' (',
                        {{ format_utc('latest_informed_at') }}, ') is not newer than the ',
                        '{{ var("authorization_window_months") }}-month window (cut-off ',
                        {{ format_utc('window_cutoff_at') }}, ')'
                    )
        end as evidence,
        case chain_failure
            when 'NOT_ANALOGOUS' then first_qualifying_ref
            when 'NOT_INFORMED' then first_analogous_ref
            when 'AUTHORIZATION_EXPIRED' then latest_informed_ref
        end as evidence_ref
    from {{ ref('int_sends_evaluated') }}
    where chain_failure is not null
),

broken_rules as (
    select * from no_legal_basis
    union all
    select * from non_email_channel
    union all
    select * from no_opt_out_link
    union all
    select * from sent_after_opposition
    union all
    select * from consent_missing
    union all
    select * from soft_spam_chain
),

final as (
    select
        broken_rules.send_id,
        broken_rules.source_system,
        broken_rules.rule_code,
        rules.severity,
        broken_rules.person_key,
        broken_rules.email,
        broken_rules.campaign_id,
        broken_rules.channel,
        broken_rules.legal_basis,
        broken_rules.promoted_category,
        broken_rules.sent_at,
        broken_rules.evidence,
        broken_rules.evidence_ref,
        rules.legal_reference,
        broken_rules.controller
    from broken_rules
    left join rules
        on broken_rules.rule_code = rules.rule_code
)

select * from final
