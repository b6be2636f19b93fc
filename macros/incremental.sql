{#
  What an incremental model's verdicts depend on besides the landed rows: policy values and
  reference rows, as one hash. A build whose fingerprint differs from the one stored by the
  previous build re-judges everything, so the table always equals a full rebuild.

    {{ inputs_fingerprint([var('timezone'), ...], ['analogy', 'notice', 'sku']) }}

  `references` names which reference tables count (the keys below).
#}
{% macro inputs_fingerprint(policy_values, references) -%}
    {%- set reference_rows = {
        'category': ('stg_reference__product_categories', ['category']),
        'application': ('stg_reference__applications', ['application', 'channel', 'is_sending_marketing']),
        'analogy': ('stg_reference__category_analogies', ['category', 'analogous_category']),
        'notice': ('stg_reference__privacy_notices', ['privacy_notice_version', 'effective_from_at', 'has_soft_spam_clause']),
        'sku': ('stg_reference__product_catalog', ['sku', 'product_category']),
    } -%}
    md5(concat(
        '{{ policy_values | join("|") | replace("'", "''") }}',
        coalesce((
            select {{ string_agg_sorted('reference_row', '|') }}
            from (
            {%- for name in references %}
                {%- set model, columns = reference_rows[name] %}
                select concat_ws(',', '{{ name }}', {{ columns | join(', ') }}) as reference_row
                from {{ ref(model) }}
                {{ 'union all' if not loop.last }}
            {%- endfor %}
            ) as reference_rows
        ), '')
    ))
{%- endmacro %}

{#
  Persons a load after `load_id` (an SQL expression) touched: every address that any version
  of a record with a version loaded since then carries, before and after. A re-export may move
  a record to another address (docs/formats.md section 1): the person it left must be judged again
  too. Facts: sales (either format), objections (either format), consent events and, with
  `with_sends`, sends (a new address is a new person). Read from the landed rows, where the
  earlier versions are; records are matched by their identity (macros/record_identity.sql).
  `column`: person_key, or email (the normalized address person_key hashes), to match rows
  without hashing each one.
#}
{% macro persons_with_facts_loaded_after(load_id, with_sends=false, column='person_key') -%}
    {%- set facts = [
        (source('landing', 'sales'), 'sales', 'email', none),
        (source('shopify', 'shopify_order_lines'), 'shopify_order_lines', 'email', none),
        (source('landing', 'oppositions'), 'oppositions', 'email', none),
        (source('mailchimp', 'mailchimp_unsubscribes'), 'mailchimp_unsubscribes', 'email_address',
         "landing_kind = 'oppositions'"),
        (source('landing', 'consents'), 'consents', 'email', none),
    ] -%}
    {%- if with_sends -%}
        {%- set facts = [(source('landing', 'sends'), 'sends', 'email', none)] + facts -%}
    {%- endif -%}
    select {{ person_key('email') if column == 'person_key' else 'email' }} as {{ column }}
    from (
    {%- for relation, raw_table, address, condition in facts %}
        {%- set identity = record_identity(raw_table) %}
        select distinct {{ normalize_text(address) }} as email
        from {{ relation }}
        where
            {{ condition ~ ' and ' if condition }}({% for key in identity %}coalesce(cast({{ key }} as {{ dbt.type_string() }}), ''){{ ', ' if not loop.last }}{% endfor %}) in (
                select {% for key in identity %}coalesce(cast({{ key }} as {{ dbt.type_string() }}), ''){{ ', ' if not loop.last }}{% endfor %}
                from {{ relation }}
                where {{ condition ~ ' and ' if condition }}_load_id > {{ load_id }}
            )
        {{ 'union' if not loop.last }}
    {%- endfor %}
    ) as touched
    where email is not null
{%- endmacro %}

{#
  Post-hook of an incremental model with one row set per person: remove the persons that are no
  longer known. A re-export that moved a person's only record to another address leaves such a
  person, and an incremental build, which replaces the rows of the persons it judges, would
  never touch their rows again.
#}
{% macro forget_unknown_persons() -%}
    delete from {{ this }}
    where person_key not in (
        select persons.person_key from {{ ref('int_persons') }} as persons
        where persons.person_key is not null
    )
{%- endmacro %}
