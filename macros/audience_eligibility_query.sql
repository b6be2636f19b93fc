{#
  Eligibility of docs/rules.md section 5, for the persons of `persons_relation` (columns
  person_key, email) at the instant `evaluated_at_sql`: one row per person, product category
  and marketing channel. The mart `audience_eligibility` and `softspam check-audience` both
  run exactly this query, so a planned audience is judged as the mart judges known persons.

  - consent: active consent for the channel at T, and no opposition covering a consent-based
    send on the channel that a later consent grant has not lifted;
  - soft_spam (e-mail only): the soft-spam chain passes at T for the configured controller,
    and no opposition of any scope (nothing lifts one for soft spam);
  - blocking_reason: OPPOSED (an opposition covering the channel, any scope on e-mail and
    all_marketing elsewhere, that no later consent for the channel lifted), else the chain's
    code (e-mail), else CONSENT_MISSING.
  Facts count when at or before T.

  `only_persons_facts`: read only the facts of those persons (the same verdicts: every fact is
  joined to its person), for a few persons among many, as check-audience and the service judge.
#}
{% macro audience_eligibility_query(persons_relation, evaluated_at_sql, only_persons_facts=false) %}
{%- set of_persons = "in (select persons.person_key from persons)" if only_persons_facts else none -%}
with

evaluation as (
    select {{ evaluated_at_sql }} as evaluated_at
),

persons as (
    select distinct person_key, email
    from {{ persons_relation }}
),

categories as (
    select category as product_category
    from {{ ref('stg_reference__product_categories') }}
),

channels as (
    select distinct channel
    from {{ ref('stg_reference__applications') }}
    where is_sending_marketing and channel is not null
),

consent_states as (
    select consent_states.*
    from {{ ref('int_consent_states_collapsed') }} as consent_states
    cross join evaluation
    where consent_states.event_at <= evaluation.evaluated_at
        {% if of_persons %}and consent_states.person_key {{ of_persons }}{% endif %}
),

latest_consent as (
    select person_key, channel, is_grant
    from (
        select
            person_key,
            channel,
            is_grant,
            row_number() over (partition by person_key, channel order by event_at desc) as recency
        from consent_states
    ) as ranked
    where recency = 1
),

last_grant as (
    select person_key, channel, max(event_at) as last_granted_at
    from consent_states
    where is_grant
    group by person_key, channel
),

oppositions as (
    select oppositions.*
    from {{ ref('int_oppositions_unioned') }} as oppositions
    cross join evaluation
    where oppositions.person_key is not null and oppositions.opposed_at <= evaluation.evaluated_at
        {% if of_persons %}and oppositions.person_key {{ of_persons }}{% endif %}
),

opposition_state as (
    select
        persons.person_key,
        channels.channel,
        bool_or(
            oppositions.opposed_at >= coalesce(last_grant.last_granted_at, {{ utc_instant('1900-01-01 00:00:00') }})
            and {{ scope_covers_consent_send('oppositions.scope', 'channels.channel') }}
        ) as has_unlifted_covering_opposition,
        -- OPPOSED: an opposition covering the channel that no later consent for it lifted; on
        -- e-mail every scope covers, elsewhere only all_marketing (an e-mail objection never
        -- blocks sms, nor shows as the reason it is blocked)
        bool_or(
            oppositions.opposed_at >= coalesce(last_grant.last_granted_at, {{ utc_instant('1900-01-01 00:00:00') }})
            and {{ scope_covers_channel('oppositions.scope', 'channels.channel') }}
        ) as has_unlifted_opposition
    from persons
    inner join oppositions
        on persons.person_key = oppositions.person_key
    cross join channels
    left join last_grant
        on
            persons.person_key = last_grant.person_key
            and channels.channel = last_grant.channel
    group by persons.person_key, channels.channel
),

opposed_persons as (
    select distinct person_key
    from oppositions
),

qualifying_persons as (
    select distinct order_lines.person_key
    from {{ ref('int_order_lines_informed') }} as order_lines
    cross join evaluation
    where
        order_lines.is_qualifying
        and order_lines.controller = lower('{{ var("controller") }}')
        and order_lines.ordered_at <= evaluation.evaluated_at
        {% if of_persons %}and order_lines.person_key {{ of_persons }}{% endif %}
),

category_sales as (
    select
        authorizations.person_key,
        authorizations.promotable_category as product_category,
        max(case when authorizations.is_informed then authorizations.ordered_at end) as latest_informed_at
    from {{ ref('int_authorizations_expanded') }} as authorizations
    cross join evaluation
    where
        authorizations.controller = lower('{{ var("controller") }}')
        and authorizations.ordered_at <= evaluation.evaluated_at
        {% if of_persons %}and authorizations.person_key {{ of_persons }}{% endif %}
    group by authorizations.person_key, authorizations.promotable_category
),

person_facts as (
    -- per person, once: a qualifying sale for the controller, and any opposition at all
    -- (nothing lifts one for soft spam)
    select
        persons.person_key,
        persons.email,
        qualifying_persons.person_key is not null as has_qualifying_sale,
        opposed_persons.person_key is not null as has_opposition
    from persons
    left join qualifying_persons
        on persons.person_key = qualifying_persons.person_key
    left join opposed_persons
        on persons.person_key = opposed_persons.person_key
),

person_channels as (
    -- per person and channel, once: consent, and the oppositions a later grant did not lift
    select
        person_facts.person_key,
        channels.channel,
        coalesce(latest_consent.is_grant, false)
        and not coalesce(opposition_state.has_unlifted_covering_opposition, false) as is_consent_eligible,
        coalesce(opposition_state.has_unlifted_opposition, false) as is_opposed
    from person_facts
    cross join channels
    left join latest_consent
        on
            person_facts.person_key = latest_consent.person_key
            and channels.channel = latest_consent.channel
    left join opposition_state
        on
            person_facts.person_key = opposition_state.person_key
            and channels.channel = opposition_state.channel
),

chain as (
    -- per person and category: the soft-spam chain's first failing step
    select
        person_facts.person_key,
        person_facts.email,
        person_facts.has_opposition,
        categories.product_category,
        case
            when not person_facts.has_qualifying_sale then 'NO_SALE_RELATIONSHIP'
            when category_sales.person_key is null then 'NOT_ANALOGOUS'
            when category_sales.latest_informed_at is null then 'NOT_INFORMED'
            {% if var('authorization_window_months') not in [none, ''] -%}
            when category_sales.latest_informed_at
                <= {{ subtract_months('evaluation.evaluated_at', var('authorization_window_months')) }}
                then 'AUTHORIZATION_EXPIRED'
            {%- endif %}
        end as chain_failure
    from person_facts
    cross join categories
    cross join evaluation
    left join category_sales
        on
            person_facts.person_key = category_sales.person_key
            and categories.product_category = category_sales.product_category
),

judged as (
    -- person x category x channel: the one join of the person-category rows with the
    -- person-channel rows (every other fact was joined on the smaller side above)
    select
        chain.person_key,
        chain.email,
        chain.product_category,
        person_channels.channel,
        person_channels.is_consent_eligible,
        person_channels.channel = 'email'
        and chain.chain_failure is null
        and not chain.has_opposition as is_soft_spam_eligible,
        person_channels.is_opposed,
        chain.chain_failure,
        evaluation.evaluated_at
    from chain
    inner join person_channels
        on chain.person_key = person_channels.person_key
    cross join evaluation
),

final as (
    select
        person_key,
        email,
        product_category,
        channel,
        is_consent_eligible or is_soft_spam_eligible as is_eligible,
        case
            when is_consent_eligible then 'consent'
            when is_soft_spam_eligible then 'soft_spam'
        end as legal_basis,
        case
            when is_consent_eligible or is_soft_spam_eligible then null
            when is_opposed then 'OPPOSED'
            when channel = 'email' and chain_failure is not null then chain_failure
            else 'CONSENT_MISSING'
        end as blocking_reason,
        evaluated_at
    from judged
)

select * from final
{% endmacro %}
