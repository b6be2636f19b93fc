-- Each order line with the privacy notice that governed it and whether it qualifies.
-- A named version missing from the reference data, or a sale older than every notice,
-- is "not informed" (docs/rules.md section 4).
with

order_lines as (
    select * from {{ ref('int_order_lines_unioned') }}
),

notices as (
    select * from {{ ref('stg_reference__privacy_notices') }}
),

named_notice as (
    select
        order_lines.order_line_id,
        notices.privacy_notice_version,
        notices.has_soft_spam_clause
    from order_lines
    inner join notices
        on lower(order_lines.privacy_notice_version) = lower(notices.privacy_notice_version)
    where order_lines.privacy_notice_version is not null
),

notice_in_force as (
    select
        order_lines.order_line_id,
        notices.privacy_notice_version,
        notices.has_soft_spam_clause
    from order_lines
    inner join notices
        on
            order_lines.ordered_at >= notices.effective_from_at
            and (notices.superseded_at is null or order_lines.ordered_at < notices.superseded_at)
    where order_lines.privacy_notice_version is null
),

final as (
    select
        order_lines.*,
        coalesce(
            order_lines.privacy_notice_version, notice_in_force.privacy_notice_version
        ) as resolved_notice_version,
        coalesce(
            named_notice.has_soft_spam_clause, notice_in_force.has_soft_spam_clause, false
        ) as is_informed,
        order_lines.is_paid and order_lines.status <> 'cancelled' as is_qualifying
    from order_lines
    left join named_notice
        on order_lines.order_line_id = named_notice.order_line_id
    left join notice_in_force
        on order_lines.order_line_id = notice_in_force.order_line_id
)

select * from final
