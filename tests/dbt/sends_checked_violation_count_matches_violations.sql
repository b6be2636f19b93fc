-- sends_checked.violation_count is the number of violations rows of the send, and is_compliant
-- holds exactly when there are none: the summary and the detail table never disagree.
-- Sends are matched null-safely on (send_id, source_system).
with

sends as (
    select
        send_id,
        source_system,
        violation_count,
        is_compliant
    from {{ ref('sends_checked') }}
),

violation_counts as (
    select
        send_id,
        source_system,
        count(*) as violation_rows
    from {{ ref('violations') }}
    group by send_id, source_system
),

compared as (
    select
        sends.send_id,
        sends.source_system,
        sends.violation_count,
        sends.is_compliant,
        coalesce(violation_counts.violation_rows, 0) as violation_rows
    from sends
    left join violation_counts
        on
            sends.send_id = violation_counts.send_id
            and sends.source_system is not distinct from violation_counts.source_system
)

select *
from compared
where
    violation_count is distinct from violation_rows
    or is_compliant is distinct from (violation_rows = 0)
