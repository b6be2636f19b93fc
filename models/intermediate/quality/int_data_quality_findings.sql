-- Loaded rows that are judged but deserve a look: unknown SKUs and categories, oppositions
-- with a missing or unknown scope, values outside the contract's lists, sends with no address.
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

file_loads as (
    select * from {{ ref('stg_landing__file_loads') }}
),

shopify_order_lines as (
    select * from {{ ref('stg_shopify__order_lines') }}
),

clock_change_readings as (
    select * from {{ ref('stg_ingestion__clock_change_readings') }}
),

unknown_skus as (
    select
        'unknown_sku' as finding_type,
        'sales' as kind,
        source_system,
        order_line_id as record_ref,
        concat('SKU ''', coalesce(product_sku, ''), ''' is not in product_catalog; the line qualifies for no category')
            as detail
    from order_lines
    where has_unknown_sku
),

unknown_categories as (
    select
        'unknown_category' as finding_type,
        'sales' as kind,
        order_lines.source_system,
        order_lines.order_line_id as record_ref,
        concat('category ''', order_lines.product_category, ''' is not in product_categories') as detail
    from order_lines
    left join categories
        on order_lines.product_category = categories.category
    where order_lines.product_category is not null and categories.category is null
),

defaulted_scopes as (
    select
        'opposition_scope_defaulted' as finding_type,
        'oppositions' as kind,
        source_system,
        opposition_id as record_ref,
        concat('scope ''', coalesce(scope_as_given, ''), ''' is missing or unknown; read as all_marketing')
            as detail
    from oppositions
    where is_scope_defaulted
),

unknown_channels as (
    select
        'unknown_channel' as finding_type,
        'sends' as kind,
        source_system,
        send_id as record_ref,
        concat(
            'channel ''', coalesce(channel, ''),
            ''' is not one of {{ var("vocabulary")["send_channels"] | join(", ") }}'
        ) as detail
    from sends
    where coalesce(channel, '') not in {{ vocabulary_list('send_channels') }}
),

sends_without_address as (
    select
        'missing_email' as finding_type,
        'sends' as kind,
        source_system,
        send_id as record_ref,
        'send has no recipient address; judged, matches nobody' as detail
    from sends
    where email is null
),

unknown_consent_values as (
    select
        'unknown_consent_value' as finding_type,
        'consents' as kind,
        source_system,
        consent_id as record_ref,
        concat('status ''', coalesce(status, ''), ''' / channel ''', coalesce(channel, ''), ''' outside the contract')
            as detail
    from consents
    where
        coalesce(status, '') not in {{ vocabulary_list('consent_statuses') }}
        or coalesce(channel, '') not in {{ vocabulary_list('consent_channels') }}
),

repeated_columns as (
    select
        'repeated_column' as finding_type,
        kind,
        cast(null as {{ dbt.type_string() }}) as source_system,
        file_name as record_ref,
        concat('the file names columns ', repeated_columns, ' more than once; the first of each was read')
            as detail
    from file_loads
    where repeated_columns is not null
),

unreadable_cancelled_at as (
    select
        'unreadable_cancelled_at' as finding_type,
        'sales' as kind,
        source_system,
        concat_ws(':', source_system, order_id, line_id) as record_ref,
        concat('Cancelled at ''', cancelled_at_text, ''' cannot be read as a time; the line is read as cancelled')
            as detail
    from shopify_order_lines
    where is_cancelled_at_unreadable
),

local_times_at_clock_changes as (
    select
        concat(reading, '_local_time') as finding_type,
        landing_kind as kind,
        source_system,
        record_ref,
        concat(
            column_name, ' ''', time_text, ''' ',
            case
                when reading = 'ambiguous'
                    then concat('occurs twice in ', timezone, ' (clock change); read as its first occurrence, ')
                else concat('does not exist in ', timezone, ' (clock change); read with the offset before it, ')
            end,
            {{ format_utc('read_as') }}
        ) as detail
    from clock_change_readings
),

final as (
    select * from repeated_columns
    union all
    select * from unknown_skus
    union all
    select * from unknown_categories
    union all
    select * from defaulted_scopes
    union all
    select * from unknown_channels
    union all
    select * from sends_without_address
    union all
    select * from unknown_consent_values
    union all
    select * from unreadable_cancelled_at
    union all
    select * from local_times_at_clock_changes
)

select * from final
