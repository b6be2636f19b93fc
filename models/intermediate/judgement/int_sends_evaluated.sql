{# Incremental on DuckDB (delete+insert); on Spark's Parquet tables, which cannot delete rows, a table.
   A rule added to the registry adds its verdict column (sync_all_columns); the registry is part
   of the fingerprint below, so every send is then judged again. #}
{{
    config(
        materialized=('incremental' if target.type == 'duckdb' else 'table'),
        unique_key='send_key',
        incremental_strategy='delete+insert',
        on_schema_change='sync_all_columns',
    )
}}

-- depends_on: {{ ref('stg_landing__order_lines') }}
-- depends_on: {{ ref('stg_shopify__order_lines') }}
-- depends_on: {{ ref('stg_landing__oppositions') }}
-- depends_on: {{ ref('stg_mailchimp__unsubscribes') }}
-- depends_on: {{ ref('stg_landing__consents') }}

-- Every send with the facts known at its own time and the verdict of each rule of
-- docs/rules.md section 3. Point in time without fan-out: each fact is an equi-join on a
-- per-person aggregate or one as-of lookup, never a join with a person's whole history.
-- Two disjoint streams of whole send rows, then one union: consent-based sends take their
-- three as-of lookups (consent state, latest grant, the first opposition not lifted) directly;
-- every other send probes the per-person facts (int_person_*: first opposition, first
-- qualifying sale, the chain's facts per promotable category) and, for the few soft-spam sends
-- that precede a later informed sale, a narrow as-of lane keyed by send_key. No stream joins the other back:
-- one pass over ten million sends with a single lane of two hundred thousand rows, where
-- joining both lanes back to every send held four hash tables at once and spilled tens of
-- gigabytes of wide probe rows to disk.
--
-- Incremental: a build judges only the sends that may have a new verdict: sends loaded
-- since the previous build, and every send of a person with a sale, opposition or consent
-- loaded since then (a late objection re-judges that person's earlier sends). A change of
-- policy, of the reference data the rules read, of the rules' registry or of the SQL that
-- judges re-judges everything, so the table always equals a full rebuild over the same files.

{#- Whether the rules changed since the previous build: then everything is judged again. -#}
{%- set rules_changed -%}
    (select rules_fingerprint from previous_build) is distinct from (select rules_fingerprint from current_build)
{%- endset -%}
{#- The sends this build judges (alias `sends`): every send on a full build; on an incremental
    one the new sends and every send of a person with new facts, or all when the rules changed.
    Persons are matched by normalized address (person_key is its hash): no hash of every send. -#}
{%- set judged_sends -%}
    {%- if is_incremental() -%}
        (
            {{ rules_changed }}
            or sends.load_id > (select evaluated_through_load_id from previous_build)
            or sends.email in (select email from addresses_with_new_facts)
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endset %}
{#- The facts a build reads: those of the persons whose sends it judges (exact: a send's
    verdict depends on its own person's facts only). -#}
{%- set judged_persons_only -%}
    {%- if is_incremental() -%}
        ({{ rules_changed }} or person_key in (select person_key from judged_persons))
    {%- else -%}
        true
    {%- endif -%}
{%- endset %}
{#- The SQL that judges: this model's and that of the judgement room's views it reads. A change
    to it is a change of the rules, and every send is judged again. -#}
{%- set judgement_code = [model.get('raw_code', '')] -%}
{%- for parent in model.get('depends_on', {}).get('nodes', []) if execute -%}
    {%- set parent_node = graph.get('nodes', {}).get(parent, {}) -%}
    {%- if 'judgement' in parent_node.get('fqn', []) -%}
        {%- do judgement_code.append(parent_node.get('raw_code', '')) -%}
    {%- endif -%}
{%- endfor -%}
{#- whether the chain's last step applies a window (docs/rules.md section 3.12) -#}
{%- set has_window = var('authorization_window_months') not in [none, ''] %}

with

current_build as (
    select
        (select max(load_id) from {{ ref('stg_landing__file_loads') }}) as evaluated_through_load_id,
        {{ inputs_fingerprint(
            [var("timezone"), var("opposition_grace_hours"), var("authorization_window_months"),
             var("withdrawal_is_opposition"), var("controller"), local_md5(compliance_rules() | string),
             local_md5(judgement_code | join('\n'))],
            ['analogy', 'notice', 'sku']) }} as rules_fingerprint
),
{% if is_incremental() %}

previous_build as (
    select
        coalesce(max(evaluated_through_load_id), -1) as evaluated_through_load_id,
        max(rules_fingerprint) as rules_fingerprint
    from {{ this }}
),

addresses_with_new_facts as (
    {{ persons_with_facts_loaded_after('(select evaluated_through_load_id from previous_build)', column='email') }}
),

judged_persons as (
    -- the persons of the sends judged below (unless the rules changed): new sends' and those
    -- with new facts
    select person_key from {{ ref('stg_landing__sends') }}
    where load_id > (select evaluated_through_load_id from previous_build)
    union
    {{ persons_with_facts_loaded_after('(select evaluated_through_load_id from previous_build)') }}
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
    where {{ judged_persons_only }}
),

grant_states as (
    select
        person_key,
        channel,
        event_at as last_granted_at
    from {{ ref('int_consent_states_collapsed') }}
    where is_grant and {{ judged_persons_only }}
),

{#- the facts of the judged persons: their objections (the as-of side of the consent-based
    sends) and their per-person facts (models/intermediate/judgement/int_person_*) #}
{%- for cte_name, fact_model in [
    ('oppositions', 'int_oppositions_expanded'),
    ('first_oppositions', 'int_person_first_oppositions'),
    ('first_qualifying', 'int_person_first_sales'),
    ('category_facts', 'int_person_category_authorizations'),
    ('informed_sales', 'int_person_informed_sales'),
] %}
    {{ cte_name }} as (
        select * from {{ ref(fact_model) }}
        where {{ judged_persons_only }}
    ),
{% endfor %}
informed_span as (
    -- the lane's own narrow read, so that the wider category_facts keeps one reader and is
    -- never materialized
    select
        person_key,
        controller,
        promoted_category,
        first_informed_at,
        last_informed_at
    from {{ ref('int_person_category_authorizations') }}
    where first_informed_at is not null and {{ judged_persons_only }}
),

-- consent-based sends: consent state, latest grant, and the first opposition it did not lift

consent_sends as (
    -- the consent-based sends, whole rows
    select
        sends.*,
        {{ send_coverage_class('sends.channel', "'consent'") }} as coverage_class
    from {{ ref('stg_landing__sends') }} as sends
    where sends.legal_basis = 'consent' and {{ judged_sends }}
),

consent_sends_with_state as (
    {{ asof_lookup('consent_sends', 'send_key', 'consent_states', ['person_key', 'channel'],
                   'sent_at', 'consent_event_at', ['consent_event_at', 'consent_is_grant', 'consent_id']) }}
),

consent_sends_with_grant as (
    {{ asof_lookup('consent_sends_with_state', 'send_key', 'grant_states', ['person_key', 'channel'],
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
    {{ asof_lookup('consent_sends_with_floor', 'send_key', 'oppositions', ['person_key', 'coverage_class'],
                   'opposition_floor_at', 'opposed_at',
                   ['opposed_at', 'opposition_id', 'scope', 'source_system'],
                   direction='forward', prefix='unlifted_') }}
),

-- the soft-spam chain's as-of lane -----------------------------------------------------

lane_sends as (
    -- narrow: only soft-spam e-mail sends between the first and the latest informed analogous
    -- sale need an as-of lookup of the latest informed sale before them
    select
        sends.send_key,
        sends.person_key,
        sends.controller,
        sends.promoted_category,
        sends.sent_at
    from {{ ref('stg_landing__sends') }} as sends
    inner join informed_span
        on
            sends.person_key = informed_span.person_key
            and sends.controller = informed_span.controller
            and sends.promoted_category = informed_span.promoted_category
    where
        sends.channel = 'email'
        and sends.legal_basis = 'soft_spam'
        and informed_span.first_informed_at <= sends.sent_at
        and informed_span.last_informed_at > sends.sent_at
        and {{ judged_sends }}
),

lane_sends_judged as (
    {{ asof_lookup('lane_sends', 'send_key', 'informed_sales', ['person_key', 'controller', 'promoted_category'],
                   'sent_at', 'informed_at', ['informed_at', 'informed_ref'], prefix='latest_') }}
),


-- every send that is not consent-based ------------------------------------------------

other_sends as (
    select
        sends.*,
        {{ send_coverage_class('sends.channel', 'sends.legal_basis') }} as coverage_class
    from {{ ref('stg_landing__sends') }} as sends
    where coalesce(sends.legal_basis, '') <> 'consent' and {{ judged_sends }}
),

other_sends_with_facts as (
    select
        other_sends.*,
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
        {% if has_window -%}
            {{ subtract_months('other_sends.sent_at', var('authorization_window_months')) }}
        {%- else -%}
            cast(null as {{ instant_type() }})
        {%- endif %} as window_cutoff_at,
        other_sends.coverage_class = 'email:soft_spam'
        and coalesce(category_facts.first_informed_at <= other_sends.sent_at, false)
            as reaches_authorization_step
    from other_sends
    left join first_oppositions
        on
            other_sends.person_key = first_oppositions.person_key
            and other_sends.coverage_class = first_oppositions.coverage_class
    left join first_qualifying
        on
            other_sends.person_key = first_qualifying.person_key
            and other_sends.controller = first_qualifying.controller
            and other_sends.legal_basis = 'soft_spam'
    left join category_facts
        on
            other_sends.person_key = category_facts.person_key
            and other_sends.controller = category_facts.controller
            and other_sends.promoted_category = category_facts.promoted_category
            and other_sends.legal_basis = 'soft_spam'
),

other_sends_with_lookups as (
    -- nothing lifts an opposition for a send that is not consent-based: the earliest covers
    select
        other_sends_with_facts.*,
        cast(null as {{ instant_type() }}) as consent_event_at,
        cast(null as boolean) as consent_is_grant,
        cast(null as {{ dbt.type_string() }}) as consent_id,
        cast(null as {{ instant_type() }}) as last_granted_at,
        other_sends_with_facts.first_opposed_at as covering_opposed_at,
        other_sends_with_facts.first_opposition_id as covering_opposition_id,
        other_sends_with_facts.first_scope as covering_scope,
        other_sends_with_facts.first_source_system as covering_source_system,
        -- the authorization in force: the latest informed analogous sale at or before a soft-spam
        -- e-mail past the chain's informed step; the person's latest of all when it precedes the
        -- send, else the lane's as-of
        case
            when not other_sends_with_facts.reaches_authorization_step then null
            when other_sends_with_facts.last_informed_at <= other_sends_with_facts.sent_at
                then other_sends_with_facts.last_informed_at
            else lane_sends_judged.latest_informed_at
        end as latest_informed_at,
        case
            when not other_sends_with_facts.reaches_authorization_step then null
            when other_sends_with_facts.last_informed_at <= other_sends_with_facts.sent_at
                then other_sends_with_facts.last_informed_ref
            else lane_sends_judged.latest_informed_ref
        end as latest_informed_ref
    from other_sends_with_facts
    left join lane_sends_judged
        on other_sends_with_facts.send_key = lane_sends_judged.send_key
),

-- the consent-based sends, their lookups done: the same columns, in the same order ---------

consent_sends_with_lookups as (
    -- the soft-spam chain does not apply (its facts stay empty), and the covering opposition
    -- is the first one the latest grant before the send did not lift
    select
        consent_sends_judged.send_key,
        consent_sends_judged.source_system,
        consent_sends_judged.send_id,
        consent_sends_judged.campaign_id,
        consent_sends_judged.channel,
        consent_sends_judged.email,
        consent_sends_judged.promoted_category,
        consent_sends_judged.legal_basis,
        consent_sends_judged.sent_at,
        consent_sends_judged.has_opt_out_link,
        consent_sends_judged.has_opt_out_link_text,
        consent_sends_judged.controller,
        consent_sends_judged.is_controller_defaulted,
        consent_sends_judged.read_in_time_zone,
        consent_sends_judged.load_id,
        consent_sends_judged.source_file,
        consent_sends_judged.source_line,
        consent_sends_judged.person_key,
        consent_sends_judged.coverage_class,
        first_oppositions.first_opposed_at,
        first_oppositions.first_opposition_id,
        first_oppositions.first_scope,
        first_oppositions.first_source_system,
        cast(null as {{ instant_type() }}) as first_qualifying_at,
        cast(null as {{ dbt.type_string() }}) as first_qualifying_ref,
        cast(null as {{ dbt.type_string() }}) as first_qualifying_category,
        cast(null as {{ instant_type() }}) as first_analogous_at,
        cast(null as {{ dbt.type_string() }}) as first_analogous_ref,
        cast(null as {{ dbt.type_string() }}) as first_analogous_notice,
        cast(null as {{ instant_type() }}) as first_informed_at,
        cast(null as {{ instant_type() }}) as last_informed_at,
        cast(null as {{ dbt.type_string() }}) as last_informed_ref,
        {% if has_window -%}
            {{ subtract_months('consent_sends_judged.sent_at', var('authorization_window_months')) }}
        {%- else -%}
            cast(null as {{ instant_type() }})
        {%- endif %} as window_cutoff_at,
        false as reaches_authorization_step,
        consent_sends_judged.consent_event_at,
        consent_sends_judged.consent_is_grant,
        consent_sends_judged.consent_id,
        consent_sends_judged.last_granted_at,
        consent_sends_judged.unlifted_opposed_at as covering_opposed_at,
        consent_sends_judged.unlifted_opposition_id as covering_opposition_id,
        consent_sends_judged.unlifted_scope as covering_scope,
        consent_sends_judged.unlifted_source_system as covering_source_system,
        cast(null as {{ instant_type() }}) as latest_informed_at,
        cast(null as {{ dbt.type_string() }}) as latest_informed_ref
    from consent_sends_judged
    left join first_oppositions
        on
            consent_sends_judged.person_key = first_oppositions.person_key
            and consent_sends_judged.coverage_class = first_oppositions.coverage_class
),

with_lookups as (
    select * from other_sends_with_lookups
    union all
    select * from consent_sends_with_lookups
),

judged as (
    -- each rule's verdict from the registry (macros/compliance_rules.sql)
    select
        {%- for rule in compliance_rules() if not rule.get('passes') %}
            {{ rule.verdict }} as is_{{ rule.code | lower }},
        {%- endfor %}
        *
    from with_lookups
),

verdicts as (
    -- the soft-spam chain: its first failing step, in the registry's order
    select
        *,
        case
            when not ({{ soft_spam_chain_applies() }}) then null
            {%- for rule in compliance_rules() if rule.get('passes') %}
                when not ({{ rule.passes }}) then '{{ rule.code }}'
            {%- endfor %}
        end as chain_failure
    from judged
),

final as (
    -- stored: the send, each rule's verdict, and the facts a violation quotes as its evidence,
    -- kept where that rule is broken (NULL elsewhere, which costs nothing to store). The facts
    -- that only lead to a verdict are not stored: writing every fact of ten million sends was
    -- most of this model's time.
    select
        verdicts.send_key,
        verdicts.source_system,
        verdicts.send_id,
        verdicts.campaign_id,
        verdicts.channel,
        verdicts.email,
        verdicts.promoted_category,
        verdicts.legal_basis,
        verdicts.sent_at,
        verdicts.has_opt_out_link,
        verdicts.has_opt_out_link_text,
        verdicts.controller,
        verdicts.load_id,
        verdicts.source_file,
        verdicts.source_line,
        verdicts.person_key,
        {%- for rule in compliance_rules() if not rule.get('passes') %}
            verdicts.is_{{ rule.code | lower }},
        {%- endfor %}
        verdicts.chain_failure,
        -- the facts each violation quotes as its evidence, kept where that rule is broken
        {%- set quoting = {} %}
        {%- for rule in compliance_rules() %}
            {%- for column in rule.quotes %}
                {%- do quoting.update({column: quoting.get(column, []) + [rule_verdict_column(rule)]}) %}
            {%- endfor %}
        {%- endfor %}
        {%- for column, broken_by in quoting.items() %}
            case when {{ broken_by | join(' or ') }} then verdicts.{{ column }} end as {{ column }},
        {%- endfor %}
        -- what made a compliant send lawful (docs/rules.md section 3.13): the consent event in
        -- force, or the authorization, the latest informed analogous sale line before it
        case
            when {{ violation_count() }} <> 0 then null
            when verdicts.legal_basis = 'consent' then verdicts.consent_id
            else verdicts.latest_informed_ref
        end as lawful_basis_ref,
        current_build.evaluated_through_load_id,
        current_build.rules_fingerprint,
        current_timestamp as judged_at
    from verdicts
    cross join current_build
)

select * from final
