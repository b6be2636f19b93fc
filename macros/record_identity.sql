{#
  The identity of a landed record (docs/formats.md section 1): the same record arriving again in a
  later file is kept once, and the most recently loaded version wins. One list of key
  expressions per raw table, over its raw columns, read by the staging models (latest version)
  and by the incremental models (the persons a re-export touched). Source systems compare after
  lower(trim()) like every text value; ids are trimmed.

  - sales, sends, oppositions, consents: the id from the same source system;
  - shopify_order_lines: the order's `Id` when the export has one (two shops both number
    their orders #1001), else its `Name`, and the line's position in the order;
  - mailchimp_unsubscribes (objections only): the member (LEID, else EUID, else the address)
    and UNSUB_TIME, so a member who resubscribed and unsubscribed again keeps both objections.
#}
{% macro record_identity(raw_table) -%}
    {%- set source_system = normalize_text('source_system') -%}
    {%- set identities = {
        'sales': [source_system, 'trim(order_id)', 'trim(line_id)'],
        'sends': [source_system, 'trim(send_id)'],
        'oppositions': [source_system, 'trim(opposition_id)'],
        'consents': [source_system, 'trim(consent_id)'],
        'shopify_order_lines': [shopify_order_key(), 'line_number'],
        'mailchimp_unsubscribes': [mailchimp_member_key(), 'unsub_time'],
    } -%}
    {{ return(identities[raw_table]) }}
{%- endmacro %}

{# A Shopify order: its `Id` when exported, else its `Name` (raw columns order_id, order_name). #}
{% macro shopify_order_key() -%}
    coalesce(nullif(trim(order_id), ''), trim(order_name))
{%- endmacro %}

{# A Mailchimp member: LEID, else EUID, else the normalized address (raw columns). #}
{% macro mailchimp_member_key() -%}
    coalesce(nullif(trim(leid), ''), nullif(trim(euid), ''), concat('email:', {{ normalize_text('email_address') }}))
{%- endmacro %}
