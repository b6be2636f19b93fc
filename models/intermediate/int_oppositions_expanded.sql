-- Oppositions by the kind of send they cover (docs/rules.md section 3.2, "Covers"):
--   email:soft_spam  e-mail sent on the soft-spam basis  <- every scope
--   email:other      e-mail on consent or on no valid basis <- email_marketing, all_marketing
--   other_channel    any send not on e-mail               <- all_marketing
-- One row per person, class and instant, so point-in-time lookups find exactly one.
with

oppositions as (
    select * from {{ ref('int_oppositions_unioned') }}
    where person_key is not null
),

coverage as (
    select
        'email:soft_spam' as coverage_class,
        'soft_spam' as scope
    union all
    select
        'email:soft_spam' as coverage_class,
        'email_marketing' as scope
    union all
    select
        'email:soft_spam' as coverage_class,
        'all_marketing' as scope
    union all
    select
        'email:other' as coverage_class,
        'email_marketing' as scope
    union all
    select
        'email:other' as coverage_class,
        'all_marketing' as scope
    union all
    select
        'other_channel' as coverage_class,
        'all_marketing' as scope
),

expanded as (
    select
        oppositions.person_key,
        coverage.coverage_class,
        oppositions.opposed_at,
        oppositions.opposition_id,
        oppositions.scope,
        oppositions.source_system,
        row_number() over (
            partition by oppositions.person_key, coverage.coverage_class, oppositions.opposed_at
            order by oppositions.source_system, oppositions.opposition_id
        ) as rank_at_instant
    from oppositions
    inner join coverage
        on oppositions.scope = coverage.scope
),

final as (
    select
        person_key,
        coverage_class,
        opposed_at,
        opposition_id,
        scope,
        source_system
    from expanded
    where rank_at_instant = 1
)

select * from final
