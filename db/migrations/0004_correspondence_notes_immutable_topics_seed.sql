-- Notes are immutable: a correction is a new note. The one change allowed is a manager's
-- redaction, which empties the body and leaves a tombstone (redacted_at, redacted_by_id).
CREATE OR REPLACE FUNCTION case_notes_refuse_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.body = ''
     AND NEW.id = OLD.id AND NEW.case_id = OLD.case_id
     AND NEW.author_id IS NOT DISTINCT FROM OLD.author_id AND NEW.created_at = OLD.created_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'case_notes are immutable (only a redaction is allowed)' USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER case_notes_no_edit BEFORE UPDATE ON case_notes
  FOR EACH ROW EXECUTE FUNCTION case_notes_refuse_edit();
--> statement-breakpoint
-- The timeline is append-only (retention may still delete whole cases).
CREATE OR REPLACE FUNCTION case_events_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'case_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
  FOR EACH ROW EXECUTE FUNCTION case_events_refuse_update();
--> statement-breakpoint
-- Topics start from the Police and Crime Plan 2017-20 themes.
INSERT INTO topics (slug, label, active_from) VALUES
  ('victims', 'Victims', '2017-04-01'),
  ('offenders', 'Offenders', '2017-04-01'),
  ('communities', 'Communities', '2017-04-01'),
  ('transformation', 'Transformation', '2017-04-01')
ON CONFLICT (slug) DO NOTHING;
