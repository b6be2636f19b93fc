-- Known persons (domain.md section 5): the normalised addresses of loaded sales, sends,
-- oppositions and consents; not suppression snapshots, not quarantined rows.
with

addresses as (
    select
        person_key,
        email
    from {{ ref('int_order_lines_unioned') }}
    union
    select
        person_key,
        email
    from {{ ref('stg_landing__sends') }}
    union
    select
        person_key,
        email
    from {{ ref('int_oppositions_unioned') }}
    union
    select
        person_key,
        email
    from {{ ref('int_consent_events_unioned') }}
),

final as (
    select distinct
        person_key,
        email
    from addresses
    where person_key is not null
)

select * from final
