-- Every objection, whatever recorded it: opposition exports, Mailchimp unsubscribes, refusals
-- ticked at checkout (scope soft_spam at the sale's time, on any line: a refusal is a
-- refusal) and, with withdrawal_is_opposition, withdrawals of e-mail or `all` consent.
-- A missing or unknown scope is read as all_marketing, the safest reading of an objection.
-- Each keeps the landed row it was read from (a checkout refusal its sale line, a withdrawal its
-- consent event): the chain of custody of the verdicts that quote it.
with

exported as (
    select * from {{ ref('stg_landing__oppositions') }}
),

mailchimp_unsubscribes as (
    select * from {{ ref('stg_mailchimp__unsubscribes') }}
    where landing_kind = 'oppositions'
),

order_lines as (
    select * from {{ ref('int_order_lines_unioned') }}
),

consent_events as (
    select * from {{ ref('int_consent_events_unioned') }}
),

from_exports as (
    select
        opposition_id,
        source_system,
        person_key,
        email,
        case
            when scope_as_given in {{ vocabulary_list('scopes') }} then scope_as_given
            else 'all_marketing'
        end as scope,
        scope_as_given,
        opposed_at,
        request_channel,
        'opposition_export' as origin,
        load_id,
        source_file,
        source_line
    from exported
),

from_mailchimp as (
    select
        -- one member's unsubscribe at one time (a later one is another objection)
        concat(member_key, '@', {{ format_utc('unsubscribed_at') }}) as opposition_id,
        'mailchimp' as source_system,
        person_key,
        email,
        'email_marketing' as scope,
        'email_marketing' as scope_as_given,
        unsubscribed_at as opposed_at,
        'unsubscribe_link' as request_channel,
        'mailchimp_unsubscribe' as origin,
        load_id,
        source_file,
        source_line
    from mailchimp_unsubscribes
),

from_checkout_refusals as (
    select
        concat('checkout:', order_line_id) as opposition_id,
        source_system,
        person_key,
        email,
        'soft_spam' as scope,
        'soft_spam' as scope_as_given,
        ordered_at as opposed_at,
        'checkout' as request_channel,
        'checkout_refusal' as origin,
        load_id,
        source_file,
        source_line
    from order_lines
    where is_refused_at_collection
),

from_withdrawals as (
    select
        concat('withdrawal:', consent_id) as opposition_id,
        source_system,
        person_key,
        email,
        case channel when 'all' then 'all_marketing' else 'email_marketing' end as scope,
        case channel when 'all' then 'all_marketing' else 'email_marketing' end as scope_as_given,
        event_at as opposed_at,
        'consent_withdrawal' as request_channel,
        'consent_withdrawal' as origin,
        load_id,
        source_file,
        source_line
    from consent_events
    where
        {{ 'true' if var('withdrawal_is_opposition') else 'false' }}
        and status = 'withdrawn'
        and channel in ('email', 'all')
),

unioned as (
    select * from from_exports
    union all
    select * from from_mailchimp
    union all
    select * from from_checkout_refusals
    union all
    select * from from_withdrawals
),

final as (
    select
        *,
        coalesce(scope_as_given, '') not in {{ vocabulary_list('scopes') }} as is_scope_defaulted
    from unioned
)

select * from final
