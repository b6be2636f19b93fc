-- Rows that were loaded and judged but need a data steward's look (not quarantined).
select * from {{ ref('int_data_quality_findings') }}
