{#
  The registry of the rules of docs/rules.md section 3: one entry per rule code, read by the send
  evaluation (its verdicts), marts.violations (one row per broken rule, its evidence),
  marts.sends_checked (the count) and their tests. What compliance owns about a rule (severity,
  legal reference, description) is its row in seeds/compliance_rules.csv, the same codes (a
  data test holds the two together); the Dagster checks and the report read the seed.

  Each entry:
    code          the rule code;
    verdict       SQL, true when the send breaks the rule, over the facts the send evaluation
                  looked up for it (models/intermediate/judgement/int_sends_evaluated.sql, CTE `judged`);
                  a step of the soft-spam chain gives `passes` instead: the chain applies to
                  soft-spam e-mail and reports only its first failing step (chain_failure);
    quotes        the looked-up facts the evidence reads, stored where the rule is broken;
    evidence      SQL of the readable sentence, over the stored send and its quoted facts;
    evidence_ref  SQL of the record behind it (an opposition, consent or sale line), or none;
    evidence_fact the kind of that record, its fact_type in int_fact_sources (the chain of
                  custody): `opposition`, `consent_event` or `sale_line`;
    record_may_be_missing  true when the rule can fire with no such record (no consent event).

  Adding a rule: its seed row, an entry here, a unit test of its verdict.
#}
{% macro compliance_rules() %}
{%- set rules = [] -%}

{%- set evidence -%}
    case
        when legal_basis is null then 'no legal basis claimed'
        else concat('legal basis ''', legal_basis, ''' is neither soft_spam nor consent')
    end
{%- endset -%}
{%- do rules.append({
    'code': 'NO_LEGAL_BASIS',
    'verdict': "coalesce(legal_basis not in ('soft_spam', 'consent'), true)",
    'quotes': [], 'evidence': evidence, 'evidence_ref': none,
}) -%}

{%- set evidence -%}
    concat('soft spam claimed on channel ''', coalesce(channel, 'none'), '''; soft spam covers e-mail only')
{%- endset -%}
{%- do rules.append({
    'code': 'NON_EMAIL_CHANNEL',
    'verdict': "coalesce(legal_basis = 'soft_spam', false) and coalesce(channel, '') <> 'email'",
    'quotes': [], 'evidence': evidence, 'evidence_ref': none,
}) -%}

{%- set evidence -%}
    concat('has_opt_out_link was ''', coalesce(has_opt_out_link_text, ''), '''; the message carried no opt-out')
{%- endset -%}
{%- do rules.append({
    'code': 'NO_OPT_OUT_LINK',
    'verdict': 'not has_opt_out_link',
    'quotes': [], 'evidence': evidence, 'evidence_ref': none,
}) -%}

{%- set verdict -%}
    coalesce(sent_at >= {{ add_hours('covering_opposed_at', var('opposition_grace_hours')) }}, false)
{%- endset -%}
{%- set evidence -%}
    concat(
        'sent ', {{ format_utc('sent_at') }}, ', ',
        {{ format_hours(hours_between('covering_opposed_at', 'sent_at')) }},
        ' h after opposition ', covering_opposition_id,
        ' (', covering_source_system, ', scope ', covering_scope, ', ', {{ format_utc('covering_opposed_at') }}, ')'
    )
{%- endset -%}
{%- do rules.append({
    'code': 'SENT_AFTER_OPPOSITION', 'verdict': verdict,
    'quotes': ['covering_opposed_at', 'covering_opposition_id', 'covering_scope', 'covering_source_system'],
    'evidence': evidence, 'evidence_ref': 'covering_opposition_id', 'evidence_fact': 'opposition',
}) -%}

{%- set evidence -%}
    case
        when consent_id is null
            then concat('no consent event for channel ''', coalesce(channel, 'none'), ''' at or before ', {{ format_utc('sent_at') }})
        else concat(
                'latest consent event for channel ''', channel, ''' before the send is not a grant: ',
                consent_id, ' at ', {{ format_utc('consent_event_at') }}
            )
    end
{%- endset -%}
{%- do rules.append({
    'code': 'CONSENT_MISSING',
    'verdict': "coalesce(legal_basis = 'consent', false) and not coalesce(consent_is_grant, false)",
    'quotes': ['consent_event_at', 'consent_id'], 'evidence': evidence,
    'evidence_ref': 'consent_id', 'evidence_fact': 'consent_event',
    'record_may_be_missing': true,
}) -%}

{#- the soft-spam chain, in its order: each step narrows the person's sales -#}
{%- set evidence -%}
    concat(
        'no paid, non-cancelled sale to this person by controller ''', controller,
        ''' at or before ', {{ format_utc('sent_at') }}
    )
{%- endset -%}
{%- do rules.append({
    'code': 'NO_SALE_RELATIONSHIP', 'passes': 'coalesce(first_qualifying_at <= sent_at, false)',
    'quotes': [], 'evidence': evidence, 'evidence_ref': none,
}) -%}

{%- set evidence -%}
    concat(
        'qualifying sale ', first_qualifying_ref, ' (category ''', coalesce(first_qualifying_category, 'unknown'),
        ''', ', {{ format_utc('first_qualifying_at') }}, ') but none in a category analogous to ''',
        coalesce(promoted_category, 'none'), ''''
    )
{%- endset -%}
{%- do rules.append({
    'code': 'NOT_ANALOGOUS', 'passes': 'coalesce(first_analogous_at <= sent_at, false)',
    'quotes': ['first_qualifying_at', 'first_qualifying_ref', 'first_qualifying_category'],
    'evidence': evidence, 'evidence_ref': 'first_qualifying_ref', 'evidence_fact': 'sale_line',
}) -%}

{%- set evidence -%}
    concat(
        'analogous sale ', first_analogous_ref, ' (', {{ format_utc('first_analogous_at') }},
        ') under notice ''', coalesce(first_analogous_notice, 'none in force'),
        ''' without the soft-spam clause; no informed analogous sale'
    )
{%- endset -%}
{%- do rules.append({
    'code': 'NOT_INFORMED', 'passes': 'coalesce(first_informed_at <= sent_at, false)',
    'quotes': ['first_analogous_at', 'first_analogous_ref', 'first_analogous_notice'],
    'evidence': evidence, 'evidence_ref': 'first_analogous_ref', 'evidence_fact': 'sale_line',
}) -%}

{%- set evidence -%}
    concat(
        'latest informed analogous sale ', latest_informed_ref, ' (', {{ format_utc('latest_informed_at') }},
        ') is not newer than the ', '{{ var("authorization_window_months") }}-month window (cut-off ',
        {{ format_utc('window_cutoff_at') }}, ')'
    )
{%- endset -%}
{%- do rules.append({
    'code': 'AUTHORIZATION_EXPIRED', 'passes': 'not coalesce(latest_informed_at <= window_cutoff_at, false)',
    'quotes': ['latest_informed_at', 'latest_informed_ref', 'window_cutoff_at'],
    'evidence': evidence, 'evidence_ref': 'latest_informed_ref', 'evidence_fact': 'sale_line',
}) -%}

{{ return(rules) }}
{% endmacro %}

{# The send classes the soft-spam chain applies to: soft-spam e-mail. #}
{% macro soft_spam_chain_applies() -%}
    coalesce(legal_basis, '') = 'soft_spam' and coalesce(channel, '') = 'email'
{%- endmacro %}

{#
  The stored verdict of a rule: its own boolean column `is_<code>`, or for a chain step
  `chain_failure = '<CODE>'` (the chain stores its first failing step).
#}
{% macro rule_verdict_column(rule) -%}
    {%- if rule.get('passes') -%}
        coalesce(chain_failure = '{{ rule.code }}', false)
    {%- else -%}
        is_{{ rule.code | lower }}
    {%- endif -%}
{%- endmacro %}

{# The number of rules a stored send breaks (0: compliant), over its verdict columns. #}
{% macro violation_count() -%}
    (
        {%- for rule in compliance_rules() %}
        {{ '+ ' if not loop.first }}cast({{ rule_verdict_column(rule) }} as integer)
        {%- endfor %}
    )
{%- endmacro %}
