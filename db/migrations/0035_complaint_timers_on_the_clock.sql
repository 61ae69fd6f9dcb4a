-- Complaint timers and reminders move onto the shared clock (server/deadlines): stored in
-- case_deadlines and deadline_notifications as subject type 'complaint'. Rows are copied
-- with their generations and sent stages, so no stage already sent goes again; the old
-- tables stay (unused) for the release before this one and are dropped one release later.
-- The copies carry calendar_version -1, so the queued deadline-rebuild works every open
-- complaint out again under the complaints regime (same dates, its own wording).
INSERT INTO "case_deadlines" ("subject_type", "subject_id", "kind", "calendar", "due_on", "base_due_on", "effective_due_on", "start_on", "rule", "rule_version", "calendar_version", "generation", "coverage_incomplete", "stopped", "completed_on", "skipped", "explanation", "created_at", "superseded_at")
SELECT 'complaint', t."complaint_id", t."kind", 'england_wales', t."due_on", t."due_on", t."due_on", t."start_on",
  coalesce(t."explanation"->>'basis', t."kind"), 'complaints-2020.v1', -1, t."generation", false, false,
  CASE WHEN t."stopped" THEN coalesce(t."stopped_on", t."due_on") END,
  coalesce(t."explanation"->'skipped', '[]'::jsonb),
  jsonb_build_object('startRule', '', 'roll', null, 'notes', jsonb_build_array(coalesce(t."explanation"->>'text', '')), 'extension', null, 'override', null),
  t."created_at", t."superseded_at"
FROM "complaint_timers" t;
--> statement-breakpoint
INSERT INTO "deadline_notifications" ("subject_type", "subject_id", "kind", "generation", "stage", "due_on", "status", "created_at", "attempted_at", "sent_at", "email_id", "reason")
SELECT 'complaint', r."complaint_id", r."kind", r."generation", CASE r."stage" WHEN 'due' THEN 'due_today' ELSE r."stage" END,
  r."due_on", r."status", r."created_at", r."sent_at", r."sent_at", r."email_id", r."reason"
FROM "complaint_reminders" r
ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO "outbox" ("topic", "payload")
SELECT 'deadline-rebuild', jsonb_build_object('calendarVersion', c."version")
FROM "holiday_calendar" c
WHERE EXISTS (SELECT 1 FROM "complaint_timers");
