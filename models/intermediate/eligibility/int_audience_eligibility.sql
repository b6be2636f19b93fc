{# Incremental on DuckDB (delete+insert); on Spark's Parquet tables, which cannot delete rows, a table. #}
{{
    config(
        materialized=('incremental' if target.type == 'duckdb' else 'table'),
        unique_key='person_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        full_refresh=(not var('as_of', none)),
        post_hook=(["{{ forget_unknown_persons() }}"] if target.type == 'duckdb' else []),
    )
}}

-- depends_on: {{ ref('stg_landing__order_lines') }}
-- depends_on: {{ ref('stg_shopify__order_lines') }}
-- depends_on: {{ ref('stg_landing__oppositions') }}
-- depends_on: {{ ref('stg_mailchimp__unsubscribes') }}
-- depends_on: {{ ref('stg_landing__consents') }}
-- depends_on: {{ ref('stg_landing__sends') }}
-- Scheduling only, not data: built after the send evaluation. The two largest models side by
-- side share DuckDB's memory limit; at ten million sends this one took 54 s beside it and 7 s alone.
-- depends_on: {{ ref('int_sends_evaluated') }}

-- Eligibility of every known person (docs/rules.md section 5), kept incrementally behind the mart
-- marts.audience_eligibility (a view over the contract's columns). At an unchanged evaluation
-- time (the as_of var), policy and reference data, a person's rows change only when a sale,
-- send, opposition or consent of theirs is loaded: a build re-judges exactly those persons,
-- not ten million rows. Without as_of the evaluation time is the run's, every row changes,
-- and the table is rebuilt whole (full_refresh above).

with

current_build as (
    select
        (select max(load_id) from {{ ref('stg_landing__file_loads') }}) as evaluated_through_load_id,
        {{ inputs_fingerprint(
            [var("timezone"), var("authorization_window_months"), var("withdrawal_is_opposition"),
             var("controller"), var("as_of", none)],
            ['category', 'application', 'analogy', 'notice', 'sku']) }} as eligibility_fingerprint
),
{% if is_incremental() %}

previous_build as (
    select
        coalesce(max(evaluated_through_load_id), -1) as evaluated_through_load_id,
        max(eligibility_fingerprint) as eligibility_fingerprint
    from {{ this }}
),

persons_with_new_facts as (
    -- new sends too: a new address is a new person
    {{ persons_with_facts_loaded_after('(select evaluated_through_load_id from previous_build)', with_sends=true) }}
),
{% endif %}

persons_to_judge as (
    select
        persons.person_key,
        persons.email
    from {{ ref('int_persons') }} as persons
    {% if is_incremental() %}
        where
            (select eligibility_fingerprint from previous_build)
            is distinct from (select eligibility_fingerprint from current_build)
            or persons.person_key in (select person_key from persons_with_new_facts)
    {% endif %}
),

eligibility as (
    {{ audience_eligibility_query('persons_to_judge', evaluated_at()) }}
),

final as (
    select
        eligibility.*,
        current_build.evaluated_through_load_id,
        current_build.eligibility_fingerprint
    from eligibility
    cross join current_build
)

select * from final
