-- May we e-mail (or text, call...) this person about this category now? One row per known
-- person, product category and marketing channel, at the run's evaluation time (var as_of).
{{ audience_eligibility_query(ref('int_persons'), evaluated_at()) }}
