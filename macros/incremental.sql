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
  Persons with a fact loaded after `load_id` (an SQL expression): a sale (either format), an
  objection (either format), a consent event and, with `with_sends`, a send (a new address is
  a new person). An incremental build re-judges exactly them. `column`: person_key, or email
  (the normalized address person_key hashes), to match rows without hashing each one.
#}
{% macro persons_with_facts_loaded_after(load_id, with_sends=false, column='person_key') -%}
    {%- set facts = [
        ('stg_landing__order_lines', none),
        ('stg_shopify__order_lines', none),
        ('stg_landing__oppositions', none),
        ('stg_mailchimp__unsubscribes', "landing_kind = 'oppositions'"),
        ('stg_landing__consents', none),
    ] -%}
    {%- if with_sends -%}
        {%- set facts = [('stg_landing__sends', none)] + facts -%}
    {%- endif -%}
    {%- for model, condition in facts %}
    select {{ column }} from {{ ref(model) }}
    where {{ condition ~ ' and ' if condition }}load_id > {{ load_id }}
    {{ 'union' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
