-- Every send with the facts known at its own time and the verdict of each rule of
-- domain.md section 4. Point in time without fan-out: each fact is one as-of lookup or an
-- equi-join on a per-person aggregate, never a join with a person's whole history.
with

sends as (
    select * from {{ ref('stg_landing__sends') }}
),

consent_states as (
    select
        person_key,
        channel,
        event_at as consent_event_at,
        is_grant as consent_is_grant,
        consent_id
    from {{ ref('int_consent_states_collapsed') }}
),

grant_states as (
    select
        person_key,
        channel,
        event_at as last_granted_at
    from {{ ref('int_consent_states_collapsed') }}
    where is_grant
),

oppositions as (
    select * from {{ ref('int_oppositions_expanded') }}
),

qualifying_lines as (
    select * from {{ ref('int_order_lines_informed') }}
    where is_qualifying and person_key is not null
),

authorizations as (
    select * from {{ ref('int_authorizations_expanded') }}
),

classified as (
    select
        concat_ws(':', source_system, send_id) as send_key,
        *,
        case
            when channel = 'email' and legal_basis = 'soft_spam' then 'email:soft_spam'
            when channel = 'email' then 'email:other'
            else 'other_channel'
        end as coverage_class
    from sends
),

first_qualifying as (
    select
        person_key,
        controller,
        ordered_at as first_qualifying_at,
        order_line_id as first_qualifying_ref,
        product_category as first_qualifying_category
    from (
        select
            *,
            row_number() over (
                partition by person_key, controller order by ordered_at, order_line_id
            ) as sale_rank
        from qualifying_lines
    ) as ranked
    where sale_rank = 1
),

first_analogous as (
    select
        person_key,
        controller,
        promotable_category as promoted_category,
        ordered_at as first_analogous_at,
        order_line_id as first_analogous_ref,
        resolved_notice_version as first_analogous_notice
    from (
        select
            *,
            row_number() over (
                partition by person_key, controller, promotable_category order by ordered_at, order_line_id
            ) as sale_rank
        from authorizations
    ) as ranked
    where sale_rank = 1
),

first_informed as (
    select
        person_key,
        controller,
        promotable_category as promoted_category,
        min(ordered_at) as first_informed_at
    from authorizations
    where is_informed
    group by person_key, controller, promotable_category
),

informed_sales as (
    select
        person_key,
        controller,
        promoted_category,
        informed_at,
        informed_ref
    from (
        select
            person_key,
            controller,
            promotable_category as promoted_category,
            ordered_at as informed_at,
            order_line_id as informed_ref,
            row_number() over (
                partition by person_key, controller, promotable_category, ordered_at order by order_line_id
            ) as rank_at_instant
        from authorizations
        where is_informed
    ) as ranked
    where rank_at_instant = 1
),

with_consent as (
    {{ asof_lookup('classified', 'send_key', 'consent_states', ['person_key', 'channel'],
                   'sent_at', 'consent_event_at', ['consent_event_at', 'consent_is_grant', 'consent_id']) }}
),

with_last_grant as (
    {{ asof_lookup('with_consent', 'send_key', 'grant_states', ['person_key', 'channel'],
                   'sent_at', 'last_granted_at', ['last_granted_at']) }}
),

with_opposition_floor as (
    select
        *,
        -- a consent grant after an opposition lifts it, for consent-based sends only: such a
        -- send is covered only by oppositions at or after the latest grant before it
        case
            when legal_basis = 'consent' and last_granted_at is not null then last_granted_at
            else cast('1900-01-01 00:00:00+00' as timestamptz)
        end as opposition_floor_at
    from with_last_grant
),

with_opposition as (
    {{ asof_lookup('with_opposition_floor', 'send_key', 'oppositions', ['person_key', 'coverage_class'],
                   'opposition_floor_at', 'opposed_at',
                   ['opposed_at', 'opposition_id', 'scope', 'source_system'],
                   direction='forward', prefix='covering_') }}
),

with_latest_informed as (
    {{ asof_lookup('with_opposition', 'send_key', 'informed_sales', ['person_key', 'controller', 'promoted_category'],
                   'sent_at', 'informed_at', ['informed_at', 'informed_ref'], prefix='latest_') }}
),

with_sales as (
    select
        with_latest_informed.*,
        first_qualifying.first_qualifying_at,
        first_qualifying.first_qualifying_ref,
        first_qualifying.first_qualifying_category,
        first_analogous.first_analogous_at,
        first_analogous.first_analogous_ref,
        first_analogous.first_analogous_notice,
        first_informed.first_informed_at
    from with_latest_informed
    left join first_qualifying
        on
            with_latest_informed.person_key = first_qualifying.person_key
            and with_latest_informed.controller = first_qualifying.controller
    left join first_analogous
        on
            with_latest_informed.person_key = first_analogous.person_key
            and with_latest_informed.controller = first_analogous.controller
            and with_latest_informed.promoted_category = first_analogous.promoted_category
    left join first_informed
        on
            with_latest_informed.person_key = first_informed.person_key
            and with_latest_informed.controller = first_informed.controller
            and with_latest_informed.promoted_category = first_informed.promoted_category
),

judged as (
    select
        *,
        {% if var('authorization_window_months') not in [none, ''] -%}
            {{ subtract_months('sent_at', var('authorization_window_months')) }}
        {%- else -%}
            cast(null as timestamptz)
        {%- endif %} as window_cutoff_at,
        coalesce(legal_basis not in ('soft_spam', 'consent'), true) as is_no_legal_basis,
        coalesce(legal_basis = 'soft_spam', false) and coalesce(channel, '') <> 'email' as is_non_email_channel,
        not has_opt_out_link as is_no_opt_out_link,
        coalesce(
            sent_at >= {{ add_hours('covering_opposed_at', var('opposition_grace_hours')) }}, false
        ) as is_sent_after_opposition,
        coalesce(legal_basis = 'consent', false) and not coalesce(consent_is_grant, false) as is_consent_missing
    from with_sales
),

final as (
    select
        *,
        case
            when coalesce(legal_basis, '') <> 'soft_spam' or coalesce(channel, '') <> 'email' then null
            when not coalesce(first_qualifying_at <= sent_at, false) then 'NO_SALE_RELATIONSHIP'
            when not coalesce(first_analogous_at <= sent_at, false) then 'NOT_ANALOGOUS'
            when not coalesce(first_informed_at <= sent_at, false) then 'NOT_INFORMED'
            when latest_informed_at <= window_cutoff_at then 'AUTHORIZATION_EXPIRED'
        end as chain_failure
    from judged
)

select * from final
