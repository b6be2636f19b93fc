-- Known persons (docs/rules.md section 5): the normalised addresses of loaded sales, sends,
-- oppositions and consents; not suppression snapshots, not quarantined rows.
-- Distinct addresses first, hashed once: at ten million sends the hash dominates otherwise.
with

addresses as (
    select email from {{ ref('int_order_lines_unioned') }}
    union
    select email from {{ ref('stg_landing__sends') }}
    union
    select email from {{ ref('int_oppositions_unioned') }}
    union
    select email from {{ ref('int_consent_events_unioned') }}
),

final as (
    select
        {{ person_key('email') }} as person_key,
        email
    from addresses
    where email is not null
)

select * from final
