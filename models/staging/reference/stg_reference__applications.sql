with

chosen as (
    {{ reference_data('applications', ['application', 'channel', 'sends_marketing', 'sla_hours']) }}
),

final as (
    select
        {{ normalize_text('application') }} as application,
        {{ normalize_text('channel') }} as channel,
        coalesce({{ parse_boolean('sends_marketing') }}, false) as is_sending_marketing,
        cast(trim(sla_hours) as integer) as sla_hours
    from chosen
    where {{ normalize_text('application') }} is not null
)

select * from final
