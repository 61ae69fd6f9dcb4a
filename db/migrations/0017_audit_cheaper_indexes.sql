DROP INDEX "audit_subject_idx";--> statement-breakpoint
DROP INDEX "audit_at_idx";--> statement-breakpoint
CREATE INDEX "audit_subject_idx" ON "audit_events" USING btree ("subject_type","subject_id") WHERE "audit_events"."subject_id" is not null;--> statement-breakpoint
CREATE INDEX "audit_at_idx" ON "audit_events" USING brin ("at");