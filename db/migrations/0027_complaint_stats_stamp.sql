CREATE INDEX "complaint_contacts_occurred_idx" ON "complaint_contacts" USING btree ("occurred_on") WHERE "complaint_contacts"."due_on" is not null;--> statement-breakpoint
CREATE INDEX "complaint_transitions_occurred_idx" ON "complaint_transitions" USING btree ("occurred_on");--> statement-breakpoint
-- Complaint statistics are reused under a change stamp (server/platform/change-stamps.ts), as
-- the triage queue is under 'cases': any write to a table the statistics read bumps it in the
-- writing transaction, so a reused answer is never older than the data. Complaint writes
-- are a few a day, so the row lock the bump holds until commit costs nothing.
INSERT INTO "change_stamps" ("scope", "n") VALUES ('complaints', 0) ON CONFLICT DO NOTHING;--> statement-breakpoint
CREATE OR REPLACE FUNCTION bump_complaints_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE change_stamps SET n = n + 1 WHERE scope = 'complaints';
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER complaints_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON complaints FOR EACH STATEMENT EXECUTE FUNCTION bump_complaints_stamp();--> statement-breakpoint
CREATE TRIGGER complaint_allegations_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON complaint_allegations FOR EACH STATEMENT EXECUTE FUNCTION bump_complaints_stamp();--> statement-breakpoint
CREATE TRIGGER complaint_categories_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON complaint_categories FOR EACH STATEMENT EXECUTE FUNCTION bump_complaints_stamp();--> statement-breakpoint
CREATE TRIGGER complainant_equality_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON complainant_equality FOR EACH STATEMENT EXECUTE FUNCTION bump_complaints_stamp();--> statement-breakpoint
CREATE TRIGGER complaint_contacts_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON complaint_contacts FOR EACH STATEMENT EXECUTE FUNCTION bump_complaints_stamp();--> statement-breakpoint
CREATE TRIGGER complaint_transitions_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON complaint_transitions FOR EACH STATEMENT EXECUTE FUNCTION bump_complaints_stamp();--> statement-breakpoint
CREATE TRIGGER complaint_reviews_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON complaint_reviews FOR EACH STATEMENT EXECUTE FUNCTION bump_complaints_stamp();
