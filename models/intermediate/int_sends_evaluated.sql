{# Incremental on DuckDB (delete+insert); on Spark's Parquet tables, which cannot delete rows, a table. #}
{{
    config(
        materialized=('incremental' if target.type == 'duckdb' else 'table'),
        unique_key='send_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

-- depends_on: {{ ref('stg_landing__order_lines') }}
-- depends_on: {{ ref('stg_shopify__order_lines') }}
-- depends_on: {{ ref('stg_landing__oppositions') }}
-- depends_on: {{ ref('stg_mailchimp__unsubscribes') }}
-- depends_on: {{ ref('stg_landing__consents') }}

-- Every send with the facts known at its own time and the verdict of each rule of
-- domain.md section 4. Point in time without fan-out: each fact is an equi-join on a
-- per-person aggregate or one as-of lookup, never a join with a person's whole history.
-- As-of lookups run only on the sends that need them (narrow rows), because at ten million
-- sends they dominate the build.
--
-- Incremental: a build judges only the sends that may have a new verdict: sends loaded
-- since the previous build, and every send of a person with a sale, opposition or consent
-- loaded since then (a late objection re-judges that person's earlier sends). A change of
-- policy or of the reference data the rules read re-judges everything, so the table always
-- equals a full rebuild over the same files. After a change to this SQL, run with
-- --full-refresh.

with

sends as (
    select * from {{ ref('stg_landing__sends') }}
),

current_build as (
    select
        (select max(load_id) from {{ ref('stg_landing__file_loads') }}) as evaluated_through_load_id,
        md5(concat(
            '{{ [var("timezone"), var("opposition_grace_hours"), var("authorization_window_months"),
                 var("withdrawal_is_opposition"), var("controller")] | join("|") }}',
            (
                select {{ string_agg_sorted('reference_row', '|') }}
                from (
                    select concat_ws(',', 'analogy', category, analogous_category) as reference_row
                    from {{ ref('stg_reference__category_analogies') }}
                    union all
                    select concat_ws(',', 'notice', privacy_notice_version, effective_from_at, has_soft_spam_clause)
                    from {{ ref('stg_reference__privacy_notices') }}
                    union all
                    select concat_ws(',', 'sku', sku, product_category)
                    from {{ ref('stg_reference__product_catalog') }}
                ) as reference_rows
            )
        )) as rules_fingerprint
),
{% if is_incremental() %}

previous_build as (
    select
        coalesce(max(evaluated_through_load_id), -1) as evaluated_through_load_id,
        max(rules_fingerprint) as rules_fingerprint
    from {{ this }}
),

persons_with_new_facts as (
    select person_key from {{ ref('stg_landing__order_lines') }}
    where load_id > (select evaluated_through_load_id from previous_build)
    union
    select person_key from {{ ref('stg_shopify__order_lines') }}
    where load_id > (select evaluated_through_load_id from previous_build)
    union
    select person_key from {{ ref('stg_landing__oppositions') }}
    where load_id > (select evaluated_through_load_id from previous_build)
    union
    select person_key from {{ ref('stg_mailchimp__unsubscribes') }}
    where landing_kind = 'oppositions' and load_id > (select evaluated_through_load_id from previous_build)
    union
    select person_key from {{ ref('stg_landing__consents') }}
    where load_id > (select evaluated_through_load_id from previous_build)
),
{% endif %}

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
        -- a number for this build's own joins: cheaper than the text key
        {{ row_join_key("concat_ws(':', source_system, send_id)") }} as send_row,
        *,
        case
            when channel = 'email' and legal_basis = 'soft_spam' then 'email:soft_spam'
            when channel = 'email' then 'email:other'
            else 'other_channel'
        end as coverage_class
    from sends
    {% if is_incremental() %}
        where
            (select rules_fingerprint from previous_build)
            is distinct from (select rules_fingerprint from current_build)
            or sends.load_id > (select evaluated_through_load_id from previous_build)
            or sends.person_key in (select person_key from persons_with_new_facts)
    {% endif %}
),

-- oppositions --------------------------------------------------------------------------

first_oppositions as (
    -- nothing lifts an opposition for a send that is not consent-based: the earliest covers
    select
        person_key,
        coverage_class,
        opposed_at as first_opposed_at,
        opposition_id as first_opposition_id,
        scope as first_scope,
        source_system as first_source_system
    from (
        select
            *,
            row_number() over (partition by person_key, coverage_class order by opposed_at) as opposition_rank
        from oppositions
    ) as ranked
    where opposition_rank = 1
),

-- consent-based sends: consent state, latest grant, and the first opposition it did not lift

consent_sends as (
    select
        send_row,
        person_key,
        channel,
        coverage_class,
        sent_at
    from classified
    where legal_basis = 'consent' and person_key is not null
),

consent_sends_with_state as (
    {{ asof_lookup('consent_sends', 'send_row', 'consent_states', ['person_key', 'channel'],
                   'sent_at', 'consent_event_at', ['consent_event_at', 'consent_is_grant', 'consent_id']) }}
),

consent_sends_with_grant as (
    {{ asof_lookup('consent_sends_with_state', 'send_row', 'grant_states', ['person_key', 'channel'],
                   'sent_at', 'last_granted_at', ['last_granted_at']) }}
),

consent_sends_with_floor as (
    -- a consent grant after an opposition lifts it for consent-based sends: such a send is
    -- covered only by oppositions at or after the latest grant before it
    select
        *,
        coalesce(last_granted_at, {{ utc_instant('1900-01-01 00:00:00') }}) as opposition_floor_at
    from consent_sends_with_grant
),

consent_sends_judged as (
    {{ asof_lookup('consent_sends_with_floor', 'send_row', 'oppositions', ['person_key', 'coverage_class'],
                   'opposition_floor_at', 'opposed_at',
                   ['opposed_at', 'opposition_id', 'scope', 'source_system'],
                   direction='forward', prefix='unlifted_') }}
),

-- the soft-spam chain -------------------------------------------------------------------

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

last_informed as (
    -- the latest informed analogous sale of all: for a send after it, that is also the latest
    -- before the send, and no as-of lookup is needed
    select
        person_key,
        controller,
        promotable_category as promoted_category,
        ordered_at as last_informed_at,
        order_line_id as last_informed_ref
    from (
        select
            *,
            row_number() over (
                partition by person_key, controller, promotable_category
                order by ordered_at desc, order_line_id asc
            ) as sale_rank
        from authorizations
        where is_informed
    ) as ranked
    where sale_rank = 1
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

category_facts as (
    -- the chain's facts per person, controller and promotable category, in one row, so that
    -- ten million sends join them once
    select
        first_analogous.person_key,
        first_analogous.controller,
        first_analogous.promoted_category,
        first_analogous.first_analogous_at,
        first_analogous.first_analogous_ref,
        first_analogous.first_analogous_notice,
        first_informed.first_informed_at,
        last_informed.last_informed_at,
        last_informed.last_informed_ref
    from first_analogous
    left join first_informed
        on
            first_analogous.person_key = first_informed.person_key
            and first_analogous.controller = first_informed.controller
            and first_analogous.promoted_category = first_informed.promoted_category
    left join last_informed
        on
            first_analogous.person_key = last_informed.person_key
            and first_analogous.controller = last_informed.controller
            and first_analogous.promoted_category = last_informed.promoted_category
),

with_person_facts as (
    select
        classified.*,
        first_oppositions.first_opposed_at,
        first_oppositions.first_opposition_id,
        first_oppositions.first_scope,
        first_oppositions.first_source_system,
        first_qualifying.first_qualifying_at,
        first_qualifying.first_qualifying_ref,
        first_qualifying.first_qualifying_category,
        category_facts.first_analogous_at,
        category_facts.first_analogous_ref,
        category_facts.first_analogous_notice,
        category_facts.first_informed_at,
        category_facts.last_informed_at,
        category_facts.last_informed_ref,
        {% if var('authorization_window_months') not in [none, ''] -%}
            {{ subtract_months('classified.sent_at', var('authorization_window_months')) }}
        {%- else -%}
            cast(null as {{ instant_type() }})
        {%- endif %} as window_cutoff_at,
        classified.coverage_class = 'email:soft_spam'
        and coalesce(category_facts.first_informed_at <= classified.sent_at, false)
        and {{ 'true' if var('authorization_window_months') not in [none, ''] else 'false' }}
            as reaches_window_step
    from classified
    left join first_oppositions
        on
            classified.person_key = first_oppositions.person_key
            and classified.coverage_class = first_oppositions.coverage_class
    left join first_qualifying
        on
            classified.person_key = first_qualifying.person_key
            and classified.controller = first_qualifying.controller
            and classified.legal_basis = 'soft_spam'
    left join category_facts
        on
            classified.person_key = category_facts.person_key
            and classified.controller = category_facts.controller
            and classified.promoted_category = category_facts.promoted_category
            and classified.legal_basis = 'soft_spam'
),

window_sends as (
    -- only sends that reach the chain's last step and precede a later informed sale need an
    -- as-of lookup of the latest informed sale before them
    select
        send_row,
        person_key,
        controller,
        promoted_category,
        sent_at
    from with_person_facts
    where reaches_window_step and last_informed_at > sent_at
),

window_sends_judged as (
    {{ asof_lookup('window_sends', 'send_row', 'informed_sales', ['person_key', 'controller', 'promoted_category'],
                   'sent_at', 'informed_at', ['informed_at', 'informed_ref'], prefix='latest_') }}
),

with_lookups as (
    select
        with_person_facts.*,
        consent_sends_judged.consent_event_at,
        consent_sends_judged.consent_is_grant,
        consent_sends_judged.consent_id,
        consent_sends_judged.last_granted_at,
        case
            when with_person_facts.legal_basis = 'consent' then consent_sends_judged.unlifted_opposed_at
            else with_person_facts.first_opposed_at
        end as covering_opposed_at,
        case
            when with_person_facts.legal_basis = 'consent' then consent_sends_judged.unlifted_opposition_id
            else with_person_facts.first_opposition_id
        end as covering_opposition_id,
        case
            when with_person_facts.legal_basis = 'consent' then consent_sends_judged.unlifted_scope
            else with_person_facts.first_scope
        end as covering_scope,
        case
            when with_person_facts.legal_basis = 'consent' then consent_sends_judged.unlifted_source_system
            else with_person_facts.first_source_system
        end as covering_source_system,
        -- the latest informed analogous sale at or before the send, for sends that reach the
        -- chain's window step: the person's latest of all when it precedes the send, else the as-of
        case
            when not with_person_facts.reaches_window_step then null
            when with_person_facts.last_informed_at <= with_person_facts.sent_at
                then with_person_facts.last_informed_at
            else window_sends_judged.latest_informed_at
        end as latest_informed_at,
        case
            when not with_person_facts.reaches_window_step then null
            when with_person_facts.last_informed_at <= with_person_facts.sent_at
                then with_person_facts.last_informed_ref
            else window_sends_judged.latest_informed_ref
        end as latest_informed_ref
    from with_person_facts
    left join consent_sends_judged
        on with_person_facts.send_row = consent_sends_judged.send_row
    left join window_sends_judged
        on with_person_facts.send_row = window_sends_judged.send_row
),

judged as (
    select
        *,
        coalesce(legal_basis not in ('soft_spam', 'consent'), true) as is_no_legal_basis,
        coalesce(legal_basis = 'soft_spam', false) and coalesce(channel, '') <> 'email' as is_non_email_channel,
        not has_opt_out_link as is_no_opt_out_link,
        coalesce(
            sent_at >= {{ add_hours('covering_opposed_at', var('opposition_grace_hours')) }}, false
        ) as is_sent_after_opposition,
        coalesce(legal_basis = 'consent', false) and not coalesce(consent_is_grant, false) as is_consent_missing
    from with_lookups
),

final as (
    select
        judged.*,
        current_build.evaluated_through_load_id,
        current_build.rules_fingerprint,
        current_timestamp as judged_at,
        case
            when coalesce(judged.legal_basis, '') <> 'soft_spam' or coalesce(judged.channel, '') <> 'email' then null
            when not coalesce(judged.first_qualifying_at <= judged.sent_at, false) then 'NO_SALE_RELATIONSHIP'
            when not coalesce(judged.first_analogous_at <= judged.sent_at, false) then 'NOT_ANALOGOUS'
            when not coalesce(judged.first_informed_at <= judged.sent_at, false) then 'NOT_INFORMED'
            when judged.latest_informed_at <= judged.window_cutoff_at then 'AUTHORIZATION_EXPIRED'
        end as chain_failure
    from judged
    cross join current_build
)

select * from final
