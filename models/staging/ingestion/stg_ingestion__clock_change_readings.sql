-- Landed local times that a clock change made ambiguous or nonexistent, with the record they
-- belong to and the instant they were read as (docs/rules.md section 4: each is a finding).
with

source as (
    select * from {{ source('ingestion', 'clock_change_readings') }}
),

renamed as (
    select
        table_name,
        column_name,
        landing_kind,
        source_system,
        record_ref,
        time_text,
        read_as,
        reading,
        timezone,
        _load_id as load_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
