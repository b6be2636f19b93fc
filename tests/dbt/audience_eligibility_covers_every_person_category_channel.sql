-- audience_eligibility has exactly one row per known person x product category x marketing
-- channel (the distinct channels of the applications that send marketing), and nothing else.
-- Each failing row names what is wrong: a triple given twice, a row outside the product, an
-- unknown person, or a known person without every category x channel. Together that is
-- exactly the product, in three scans of the twenty million rows (one per check, no join of
-- two twenty-million-row sets): this test is also the table's key and person_key's
-- relationship to int_persons.
with

persons as (
    select distinct person_key from {{ ref('int_persons') }}
),

categories as (
    select distinct category as product_category from {{ ref('stg_reference__product_categories') }}
),

channels as (
    select distinct channel
    from {{ ref('stg_reference__applications') }}
    where is_sending_marketing and channel is not null
),

triples as (
    select
        person_key,
        product_category,
        channel,
        count(*) as row_count
    from {{ ref('audience_eligibility') }}
    group by person_key, product_category, channel
),

duplicated as (
    select
        person_key,
        product_category,
        channel,
        concat(cast(row_count as string), ' rows for one person x category x channel') as problem
    from triples
    where row_count > 1
),

outside as (
    select
        eligibility.person_key,
        eligibility.product_category,
        eligibility.channel,
        'not a product category x marketing channel' as problem
    from {{ ref('audience_eligibility') }} as eligibility
    left join categories on eligibility.product_category = categories.product_category
    left join channels on eligibility.channel = channels.channel
    where categories.product_category is null or channels.channel is null
),

rows_per_person as (
    -- with no triple twice and none outside the product, a person's row count is the number
    -- of category x channel pairs they have
    select
        person_key,
        count(*) as row_count
    from {{ ref('audience_eligibility') }}
    group by person_key
),

unknown_persons as (
    select
        rows_per_person.person_key,
        cast(null as string) as product_category,
        cast(null as string) as channel,
        'not a known person (int_persons)' as problem
    from rows_per_person
    left join persons on rows_per_person.person_key = persons.person_key
    where persons.person_key is null
),

incomplete_persons as (
    select
        persons.person_key,
        cast(null as string) as product_category,
        cast(null as string) as channel,
        concat(
            cast(coalesce(rows_per_person.row_count, 0) as string), ' rows for a known person, not ',
            cast((select count(*) from categories) * (select count(*) from channels) as string)
        ) as problem
    from persons
    left join rows_per_person on persons.person_key = rows_per_person.person_key
    where
        coalesce(rows_per_person.row_count, 0)
        <> (select count(*) from categories) * (select count(*) from channels)
)

select * from duplicated
union all
select * from outside
union all
select * from unknown_persons
union all
select * from incomplete_persons
