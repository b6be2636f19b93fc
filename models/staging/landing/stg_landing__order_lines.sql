with

latest as (
    -- the table itself rather than a CTE over it: the query reads it three times, and a CTE
    -- read more than once is materialized, every wide row of it
    {{ latest_version(source('landing', 'sales'), record_identity('sales')) }}
),

renamed as (
    select
        {{ normalize_text('source_system') }} as source_system,
        trim(order_id) as order_id,
        trim(line_id) as line_id,
        {{ normalize_text('email') }} as email,
        {{ normalize_text('product_category') }} as product_category,
        ordered_at,
        -- an empty flag takes the contract's default; an unreadable one does not qualify the sale
        case
            when nullif(trim(is_paid), '') is null then true
            else coalesce({{ parse_boolean('is_paid') }}, false)
        end as is_paid,
        coalesce({{ normalize_text('status') }}, 'completed') as status,
        nullif(trim(privacy_notice_version), '') as privacy_notice_version,
        coalesce({{ parse_boolean('soft_spam_opt_out') }}, false) as is_refused_at_collection,
        coalesce({{ normalize_text('controller') }}, lower('{{ var("controller") }}')) as controller,
        nullif(trim(customer_id), '') as customer_id,
        nullif(trim(product_sku), '') as product_sku,
        nullif(trim(amount), '') as amount,
        _load_id as load_id,
        _source_file as source_file,
        _source_line as source_line
    from latest
),

final as (
    select
        *,
        {{ person_key('email') }} as person_key
    from renamed
)

select * from final
