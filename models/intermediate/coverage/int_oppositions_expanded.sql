-- Oppositions by the class of send they cover (docs/rules.md section 3.2, "Covers"; the
-- classes and their scopes are macros/coverage.sql): email:soft_spam, email:other (consent or
-- no valid basis), other_channel.
-- One row per person, class and instant, so point-in-time lookups find exactly one.
with

oppositions as (
    select * from {{ ref('int_oppositions_unioned') }}
    where person_key is not null
),

coverage as (
    -- one row per (class, scope covering it), from macros/coverage.sql
    {%- set pairs = [] %}
    {%- for class, scopes in opposition_coverage().items() %}
        {%- for scope in scopes %}
            {%- do pairs.append((class, scope)) %}
        {%- endfor %}
    {%- endfor %}
    {%- for class, scope in pairs %}
        select
            '{{ class }}' as coverage_class,
            '{{ scope }}' as scope
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
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
