-- Comparison baseline ONLY (never used by the product): the leanest single DuckDB script we
-- could write for docs/rules.md sections 3 (violations), 5 (eligibility) and 7 (alignment gaps)
-- over the same landing files. benchmarks/baseline.py fills the placeholders in braces: the files per
-- format (recognised from the header; an optional column no file of a kind has reads as empty),
-- the seeds, the policy values and the evaluation time.
set TimeZone = 'UTC';
set preserve_insertion_order = false;

-- local wall-clock time l of zone tz as an instant: a time a clock change repeats is its first
-- occurrence (DuckDB's timezone() gives the second), a skipped one takes the earlier offset
create or replace macro local_ts(l, tz) as case
    when timezone(tz, timezone(tz, l) - interval 1 hour) = l then timezone(tz, l) - interval 1 hour
    else timezone(tz, l) end;
create or replace macro ts(v, tz) as coalesce(
    case when length(v) = 19 and substr(v, 5, 1) = '-' and substr(v, 12, 2) < '24'
         then local_ts(try_cast(v as timestamp), tz) end,
    case when length(v) in (20, 25) and substr(v, 5, 1) = '-' and substr(v, 12, 2) < '24'
              and substr(v, 20, 1) in ('Z', '+', '-') then try_cast(v as timestamptz) end,
    try_strptime(trim(v), ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S %z', '%Y-%m-%dT%H:%M:%S.%f%z']),
    local_ts(try_strptime(trim(v), ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M',
        '%Y-%m-%dT%H:%M', '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%Y-%m-%d', '%d/%m/%Y']), tz));
create or replace macro norm(v) as nullif(lower(trim(v)), '');
create or replace macro bool(v) as case
    when lower(trim(v)) in ('true', 'yes', '1', 'si', 'sì', 'y', 't') then true
    when lower(trim(v)) in ('false', 'no', '0', 'n', 'f') then false end;
create or replace macro pk(e) as case when e is not null then sha256(e) end;
create or replace macro csv(files) as table
    select * from read_csv(files, header = true, all_varchar = true, union_by_name = true,
                           ignore_errors = true, filename = true);

-- reference --------------------------------------------------------------------------------
create table analog as
    select distinct category, analogous_category from (
        select norm(category) as category, norm(analogous_category) as analogous_category
        from read_csv({category_analogies}, header = true, all_varchar = true)
        union all select norm(category), norm(category) from read_csv({product_categories}, header = true, all_varchar = true))
    where category is not null and analogous_category is not null;
create table notices as
    select trim(version) as version, timezone('{tz}', cast(trim(effective_from) as date)::timestamp) as from_at,
           coalesce(bool(has_soft_spam_clause), false) as clause,
           lead(timezone('{tz}', cast(trim(effective_from) as date)::timestamp)) over (order by cast(trim(effective_from) as date)) as until_at
    from read_csv({privacy_notices}, header = true, all_varchar = true);
create table catalog as select trim(sku) as sku, trim(product_category) as category
    from read_csv({product_catalog}, header = true, all_varchar = true);
create table apps as select norm(application) as app, norm(channel) as channel, cast(trim(sla_hours) as double) as sla
    from read_csv({applications}, header = true, all_varchar = true) where coalesce(bool(sends_marketing), false);

-- facts: the latest version of each record, rows with no id or no readable time left out ------
create table sends as
    select norm(email) as email, pk(norm(email)) as p, norm(channel) as channel, norm(legal_basis) as basis,
           norm(promoted_category) as category, t as sent_at, coalesce(bool(has_opt_out_link), false) as opt_out,
           coalesce(norm(controller), lower('{controller}')) as controller
    from (select *, ts(sent_at, '{tz}') as t from {sends_canonical}) s
    where nullif(trim(send_id), '') is not null and t is not null
    qualify row_number() over (partition by norm(source_system), trim(send_id) order by filename desc) = 1;

create table sales as
    select pk(norm(email)) as p, norm(product_category) as category, t as ev,
           case when nullif(trim(is_paid), '') is null then true else coalesce(bool(is_paid), false) end
               and coalesce(norm(status), 'completed') <> 'cancelled' as qualifying,
           coalesce(bool(soft_spam_opt_out), false) as refused,
           nullif(trim(privacy_notice_version), '') as version,
           coalesce(norm(controller), lower('{controller}')) as controller
    from (select *, ts(ordered_at, '{tz}') as t from {sales_canonical}) s
    where nullif(trim(order_id), '') is not null and nullif(trim(line_id), '') is not null and t is not null
    qualify row_number() over (partition by norm(source_system), trim(order_id), trim(line_id) order by filename desc) = 1;
{shopify_sql}
create table sales_informed as
    select s.*, coalesce(case when s.version is not null then n1.clause else n2.clause end, false) as informed
    from sales s
    left join notices n1 on lower(s.version) = lower(n1.version)
    left join notices n2 on s.version is null and s.ev >= n2.from_at and (n2.until_at is null or s.ev < n2.until_at);

create table consents as
    select pk(norm(email)) as p, norm(channel) as channel, coalesce(norm(status) = 'granted', false) as grant_, t as ev, norm(status) as status
    from (select *, ts(event_at, '{tz}') as t from {consents_canonical}) c
    where nullif(trim(consent_id), '') is not null and t is not null
    qualify row_number() over (partition by norm(source_system), trim(consent_id) order by filename desc) = 1;
{shopify_consents_sql}
-- consent per channel ('all' speaks for each), withdrawal first at one instant
create table consent_ch as
    select p, ch.channel, ev, bool_and(grant_) as grant_
    from consents join (values ('email'), ('sms'), ('phone'), ('post'), ('push')) ch(channel)
        on consents.channel = ch.channel or consents.channel = 'all'
    where p is not null group by all;

create table opps as
    select pk(norm(email)) as p, case when norm(scope) in ('soft_spam', 'email_marketing', 'all_marketing') then norm(scope)
                   else 'all_marketing' end as scope, t as ev
    from (select *, ts(opposed_at, '{tz}') as t from {oppositions_canonical}) o
    where nullif(trim(opposition_id), '') is not null and t is not null
    qualify row_number() over (partition by norm(source_system), trim(opposition_id) order by filename desc) = 1;
{mailchimp_oppositions_sql}
insert into opps select p, 'soft_spam', ev from sales where refused;
insert into opps select p, case channel when 'all' then 'all_marketing' else 'email_marketing' end, ev
    from consents where {withdrawal_is_opposition} and status = 'withdrawn' and channel in ('email', 'all');
delete from opps where p is null;
-- one row per person, class of send it covers, and instant
create table opp_cls as
    select distinct p, cls, ev from opps join (values ('email:soft_spam', 'soft_spam'), ('email:soft_spam', 'email_marketing'),
        ('email:soft_spam', 'all_marketing'), ('email:other', 'email_marketing'), ('email:other', 'all_marketing'),
        ('other_channel', 'all_marketing')) c(cls, scope) using (scope);

-- section 4: every send judged --------------------------------------------------------------
create table judged as
with s as (
    select row_number() over () as id, *,
           case when channel = 'email' and basis = 'soft_spam' then 'email:soft_spam'
                when channel = 'email' then 'email:other' else 'other_channel' end as cls
    from sends
),
cons as (  -- latest consent event for the channel at or before the send
    select s.id, c.grant_ from s asof left join consent_ch c
        on s.p = c.p and s.channel = c.channel and s.sent_at >= c.ev where s.basis = 'consent'
),
lastgrant as (
    select s.id, c.ev as granted_at from s asof left join (select * from consent_ch where grant_) c
        on s.p = c.p and s.channel = c.channel and s.sent_at >= c.ev where s.basis = 'consent'
),
firstopp as (select p, cls, min(ev) as ev from opp_cls group by all),
opp as (  -- the earliest covering opposition not lifted by a later grant (consent sends only)
    select s.id, o.ev from s join lastgrant g using (id) asof left join opp_cls o
        on s.p = o.p and s.cls = o.cls and coalesce(g.granted_at, '1900-01-01'::timestamptz) <= o.ev
),
auth as (
    select x.p, x.controller, a.analogous_category as category, x.ev, x.informed
    from sales_informed x join analog a on x.category = a.category
    where x.qualifying and x.p is not null
),
chain as (
    select s.id,
        (select min(ev) from sales_informed q where q.p = s.p and q.controller = s.controller and q.qualifying) as first_sale,
        (select min(ev) from auth a where a.p = s.p and a.controller = s.controller and a.category = s.category) as first_analogous,
        (select min(ev) from auth a where a.p = s.p and a.controller = s.controller and a.category = s.category and a.informed) as first_informed
    from s where s.cls = 'email:soft_spam'
),
latest_informed as (
    select s.id, a.ev from s asof left join (select distinct p, controller, category, ev from auth where informed) a
        on s.p = a.p and s.controller = a.controller and s.category = a.category and s.sent_at >= a.ev
    where s.cls = 'email:soft_spam'
)
select s.id, s.sent_at,
    coalesce(s.basis not in ('soft_spam', 'consent'), true) as no_legal_basis,
    coalesce(s.basis = 'soft_spam', false) and coalesce(s.channel, '') <> 'email' as non_email,
    not s.opt_out as no_opt_out,
    coalesce(s.sent_at >= case when s.basis = 'consent' then opp.ev else fo.ev end + to_hours({grace_hours}), false) as after_opposition,
    coalesce(s.basis = 'consent', false) and not coalesce(cons.grant_, false) as consent_missing,
    case when s.cls <> 'email:soft_spam' then null
         when not coalesce(chain.first_sale <= s.sent_at, false) then 'NO_SALE_RELATIONSHIP'
         when not coalesce(chain.first_analogous <= s.sent_at, false) then 'NOT_ANALOGOUS'
         when not coalesce(chain.first_informed <= s.sent_at, false) then 'NOT_INFORMED'
         when {window_months} is not null
              and li.ev <= timezone('UTC', timezone('UTC', s.sent_at) - to_months({window_months}))
             then 'AUTHORIZATION_EXPIRED' end as chain_failure
from s
left join firstopp fo on s.p = fo.p and s.cls = fo.cls
left join cons using (id) left join opp using (id) left join chain using (id) left join latest_informed li using (id);

create table violation_counts as
    select rule_code, count(*) as n from (
        select 'NO_LEGAL_BASIS' as rule_code from judged where no_legal_basis
        union all select 'NON_EMAIL_CHANNEL' from judged where non_email
        union all select 'NO_OPT_OUT_LINK' from judged where no_opt_out
        union all select 'SENT_AFTER_OPPOSITION' from judged where after_opposition
        union all select 'CONSENT_MISSING' from judged where consent_missing
        union all select chain_failure from judged where chain_failure is not null)
    group by all;

-- section 5: eligibility at the evaluation time ---------------------------------------------
create table persons as
    select distinct p from (select p from sends union all select p from sales union all select p from opps
                            union all select p from consents) where p is not null;
create table eligibility as
with t as (select '{as_of}'::timestamptz as t_ev),
email_state as (
    select p, arg_max(grant_, consent_ch.ev) as granted, max(consent_ch.ev) filter (where grant_) as last_grant
    from consent_ch, t where channel = 'email' and consent_ch.ev <= t.t_ev group by p
),
opp_state as (  -- any opposition, and one that covers a consent e-mail and no later e-mail grant lifted
    select o.p, true as any_opposition,
           bool_or(o.scope <> 'soft_spam' and (e.last_grant is null or e.last_grant <= o.ev)) as blocks_consent
    from opps o, t left join email_state e on e.p = o.p where o.ev <= t.t_ev group by o.p
),
chain as (
    select x.p, x.category,
        max(x.ev) filter (where informed) as latest_informed
    from (select s.p, s.controller, a.analogous_category as category, s.ev, s.informed
          from sales_informed s join analog a on s.category = a.category, t
          where s.qualifying and s.p is not null and s.ev <= t.t_ev and s.controller = lower('{controller}')) x
    group by all
),
categories as (select distinct norm(category) as category from read_csv({product_categories}, header = true, all_varchar = true)
                where norm(category) is not null)
select persons.p, c.category,
    coalesce(e.granted, false) and not coalesce(o.blocks_consent, false) as on_consent,
    ch.latest_informed is not null and ({window_months} is null
        or ch.latest_informed > timezone('UTC', timezone('UTC', t.t_ev) - to_months({window_months})))
        and o.any_opposition is null as on_soft_spam
from persons cross join categories c cross join t
left join email_state e on e.p = persons.p
left join opp_state o on o.p = persons.p
left join chain ch on ch.p = persons.p and ch.category = c.category;

-- section 7: alignment gaps -------------------------------------------------------------------
{snapshots_sql}
create table gaps as
with latest as (select app, max(taken_at) as taken_at from snapshot_files group by app),
owed as (  -- objections that no consent at or before the application's latest snapshot has lifted
    select a.app, o.p, min(o.ev) as first_at, any_value(l.taken_at) as taken_at, any_value(a.sla) as sla
    from apps a join latest l using (app) join opps o on a.channel = 'email' or o.scope = 'all_marketing'
    where not exists (select 1 from consents c where c.p = o.p and c.grant_ and c.ev > o.ev and c.ev <= l.taken_at
                      and (c.channel = a.channel or c.channel = 'all'))
    group by a.app, o.p
)
select app, p, first_at from owed
where first_at + to_hours(cast(sla as bigint)) <= taken_at
  and not exists (select 1 from snapshot_rows r where r.app = owed.app and r.taken_at = owed.taken_at and r.p = owed.p);
