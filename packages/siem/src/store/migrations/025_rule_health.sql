-- How the engine fares with each rule (issue 13: a rule must not take the engine down).
-- `eval_started_at` is committed before an evaluation and cleared with its result, so a rule
-- whose evaluation never finished (the process froze or was killed) is known at the next start.
-- `failures` counts consecutive budget overruns and interrupted evaluations; at the limit the
-- engine disables the rule and says why in `disabled_reason`. A rule found interrupted at start
-- is quarantined (not run before `quarantined_until`) rather than run first.
ALTER TABLE security_rules ADD COLUMN eval_started_at INTEGER;
ALTER TABLE security_rules ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE security_rules ADD COLUMN last_failure TEXT;
ALTER TABLE security_rules ADD COLUMN last_failure_at INTEGER;
ALTER TABLE security_rules ADD COLUMN disabled_reason TEXT;
ALTER TABLE security_rules ADD COLUMN quarantined_until INTEGER;
CREATE INDEX security_rules_interrupted ON security_rules(eval_started_at) WHERE eval_started_at IS NOT NULL;
