-- Loaded rows that are judged but deserve a look: unknown SKUs, oppositions with a missing
-- or unknown scope, values outside the contract's lists, rows with no address.
with

order_lines as (
    select * from {{ ref('int_order_lines_unioned') }}
),

oppositions as (
    select * from {{ ref('int_oppositions_unioned') }}
),

sends as (
    select * from {{ ref('stg_landing__sends') }}
),

consents as (
    select * from {{ ref('int_consent_events_unioned') }}
),

categories as (
    select * from {{ ref('stg_reference__product_categories') }}
),

findings as (
    select
        'unknown_sku' as finding_type,
        'sales' as kind,
        source_system,
        order_line_id as record_ref,
        concat('SKU ''', coalesce(product_sku, ''), ''' is not in product_catalog; the line qualifies for no category')
            as detail
    from order_lines
    where has_unknown_sku

    union all

    select
        'unknown_category',
        'sales',
        source_system,
        order_line_id,
        concat('category ''', product_category, ''' is not in product_categories')
    from order_lines
    where product_category is not null and product_category not in (select category from categories)

    union all

    select
        'opposition_scope_defaulted',
        'oppositions',
        source_system,
        opposition_id,
        concat('scope ''', coalesce(scope_as_given, ''), ''' is missing or unknown; read as all_marketing')
    from oppositions
    where is_scope_defaulted

    union all

    select
        'unknown_channel',
        'sends',
        source_system,
        send_id,
        concat('channel ''', coalesce(channel, ''), ''' is not one of email, sms, phone, push, post')
    from sends
    where coalesce(channel, '') not in ('email', 'sms', 'phone', 'push', 'post')

    union all

    select
        'missing_email',
        'sends',
        source_system,
        send_id,
        'send has no recipient address; judged, matches nobody'
    from sends
    where email is null

    union all

    select
        'unknown_consent_value',
        'consents',
        source_system,
        consent_id,
        concat('status ''', coalesce(status, ''), ''' / channel ''', coalesce(channel, ''), ''' outside the contract')
    from consents
    where
        coalesce(status, '') not in ('granted', 'withdrawn')
        or coalesce(channel, '') not in ('email', 'sms', 'phone', 'post', 'push', 'all')
),

final as (
    select * from findings
)

select * from final
