-- Timers (case_deadlines), clock events and warning notifications are keyed by subject
-- (type + id), so any domain's records can run on the clock; every existing row is a case's.
-- migration-lint: allow drop-or-rename case_id becomes subject_id on the clock's three tables, read and written only by the clock (server/deadlines): during a deploy the old release's deadline jobs fail until it is restarted and its 15-minute scans re-run from database state, so nothing is lost; no other table or process reads these columns.
ALTER TABLE "case_deadlines" DROP CONSTRAINT "case_deadlines_case_id_cases_id_fk";--> statement-breakpoint
ALTER TABLE "case_deadlines" RENAME COLUMN "case_id" TO "subject_id";--> statement-breakpoint
ALTER TABLE "case_deadlines" ADD COLUMN "subject_type" text DEFAULT 'case' NOT NULL;--> statement-breakpoint
ALTER TABLE "case_deadlines" ALTER COLUMN "subject_type" DROP DEFAULT;--> statement-breakpoint
DROP INDEX "case_deadlines_live_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "case_deadlines_live_uq" ON "case_deadlines" USING btree ("subject_type","subject_id","kind") WHERE "case_deadlines"."superseded_at" is null;--> statement-breakpoint
ALTER TABLE "clock_events" DROP CONSTRAINT "clock_events_case_id_cases_id_fk";--> statement-breakpoint
ALTER TABLE "clock_events" RENAME COLUMN "case_id" TO "subject_id";--> statement-breakpoint
ALTER TABLE "clock_events" ADD COLUMN "subject_type" text DEFAULT 'case' NOT NULL;--> statement-breakpoint
ALTER TABLE "clock_events" ALTER COLUMN "subject_type" DROP DEFAULT;--> statement-breakpoint
DROP INDEX "clock_events_case_idx";--> statement-breakpoint
CREATE INDEX "clock_events_subject_idx" ON "clock_events" USING btree ("subject_type","subject_id","id");--> statement-breakpoint
-- Clock events stay append-only: the only change allowed is voiding a live event, once.
CREATE OR REPLACE FUNCTION clock_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.voided_at IS NULL AND NEW.voided_at IS NOT NULL
     AND NEW.id = OLD.id AND NEW.subject_type = OLD.subject_type
     AND NEW.subject_id = OLD.subject_id AND NEW.kind = OLD.kind
     AND NEW.at = OLD.at AND NEW.occurred_on = OLD.occurred_on AND NEW.data = OLD.data
     AND NEW.note IS NOT DISTINCT FROM OLD.note AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
     AND NEW.recorded_at = OLD.recorded_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'clock_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
ALTER TABLE "deadline_notifications" DROP CONSTRAINT "deadline_notifications_case_id_cases_id_fk";--> statement-breakpoint
ALTER TABLE "deadline_notifications" RENAME COLUMN "case_id" TO "subject_id";--> statement-breakpoint
ALTER TABLE "deadline_notifications" ADD COLUMN "subject_type" text DEFAULT 'case' NOT NULL;--> statement-breakpoint
ALTER TABLE "deadline_notifications" ALTER COLUMN "subject_type" DROP DEFAULT;--> statement-breakpoint
DROP INDEX "deadline_notifications_stage_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "deadline_notifications_stage_uq" ON "deadline_notifications" USING btree ("subject_type","subject_id","kind","generation","stage");
