CREATE TABLE "change_stamps" (
	"scope" text PRIMARY KEY NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO "change_stamps" ("scope", "n") VALUES ('cases', 0) ON CONFLICT DO NOTHING;--> statement-breakpoint
-- Statement-level, so a bulk load of a million rows bumps once. The row lock it takes is
-- held to the end of the writing transaction: case writes are a few a day, so the
-- serialisation costs nothing, and it is what keeps the bump invisible until the commit.
CREATE OR REPLACE FUNCTION bump_cases_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE change_stamps SET n = n + 1 WHERE scope = 'cases';
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER cases_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cases FOR EACH STATEMENT EXECUTE FUNCTION bump_cases_stamp();--> statement-breakpoint
CREATE TRIGGER case_access_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON case_access FOR EACH STATEMENT EXECUTE FUNCTION bump_cases_stamp();--> statement-breakpoint
CREATE TRIGGER case_events_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON case_events FOR EACH STATEMENT EXECUTE FUNCTION bump_cases_stamp();--> statement-breakpoint
CREATE TRIGGER case_notes_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON case_notes FOR EACH STATEMENT EXECUTE FUNCTION bump_cases_stamp();--> statement-breakpoint
CREATE TRIGGER case_attachments_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON case_attachments FOR EACH STATEMENT EXECUTE FUNCTION bump_cases_stamp();--> statement-breakpoint
CREATE TRIGGER case_deadlines_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON case_deadlines FOR EACH STATEMENT EXECUTE FUNCTION bump_cases_stamp();--> statement-breakpoint
CREATE TRIGGER clock_events_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON clock_events FOR EACH STATEMENT EXECUTE FUNCTION bump_cases_stamp();--> statement-breakpoint
CREATE TRIGGER contacts_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON contacts FOR EACH STATEMENT EXECUTE FUNCTION bump_cases_stamp();--> statement-breakpoint
CREATE TRIGGER users_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION bump_cases_stamp();--> statement-breakpoint
CREATE TRIGGER topics_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON topics FOR EACH STATEMENT EXECUTE FUNCTION bump_cases_stamp();
