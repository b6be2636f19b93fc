{#
  Who is on each landed suppression snapshot (canonical or Mailchimp layout, docs/formats.md
  section 1): one row per (snapshot file, person). Each file is a whole picture of the
  application's list. Read by the alignment gaps and the propagation.
#}
{% macro suppression_snapshot_members() -%}
    select
        snapshot_load_id,
        person_key
    from {{ ref('stg_landing__suppression_entries') }}
    union
    select
        load_id as snapshot_load_id,
        person_key
    from {{ ref('stg_mailchimp__unsubscribes') }}
    where landing_kind = 'suppressions'
{%- endmacro %}
