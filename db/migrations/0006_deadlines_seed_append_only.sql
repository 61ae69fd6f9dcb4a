-- The one holiday_calendar row; version 0 until the first holidays are loaded.
INSERT INTO holiday_calendar (id, version) VALUES (1, 0) ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- Default office targets and warning stages (deadlines.md §3, §6). Statutory amounts are code.
INSERT INTO sla_policies (case_type, kind, unit, amount, calendar, warn_wd_before, escalate_wd_after) VALUES
  ('foi', 'statutory', 'statutory', 20, 'uk_foia', 5, 5),
  ('foi', 'review', 'statutory', 20, 'uk_foia', 5, 5),
  ('foi', 'acknowledge', 'working_days', 2, 'england_wales', 0, 5),
  ('eir', 'statutory', 'statutory', 20, 'uk_foia', 5, 5),
  ('eir', 'review', 'statutory', 20, 'uk_foia', 5, 5),
  ('eir', 'acknowledge', 'working_days', 2, 'england_wales', 0, 5),
  ('sar', 'statutory', 'statutory', 1, 'england_wales', 5, 5),
  ('sar', 'respond', 'calendar_days', 28, 'england_wales', 3, 5),
  ('sar', 'acknowledge', 'working_days', 2, 'england_wales', 0, 5),
  ('complaint', 'respond', 'working_days', 20, 'england_wales', 3, 5),
  ('complaint', 'acknowledge', 'working_days', 2, 'england_wales', 0, 5),
  ('complaint', 'dp_ack', 'statutory', 30, 'calendar', 5, 5),
  ('mp_enquiry', 'respond', 'working_days', 20, 'england_wales', 3, 5),
  ('mp_enquiry', 'acknowledge', 'working_days', 2, 'england_wales', 0, 5),
  ('suggestion', 'respond', 'working_days', 20, 'england_wales', 3, 5),
  ('suggestion', 'acknowledge', 'working_days', 2, 'england_wales', 0, 5),
  ('compliment', 'respond', 'working_days', 20, 'england_wales', 3, 5),
  ('compliment', 'acknowledge', 'working_days', 2, 'england_wales', 0, 5),
  ('general', 'respond', 'working_days', 20, 'england_wales', 3, 5),
  ('general', 'acknowledge', 'working_days', 2, 'england_wales', 0, 5)
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- Clock events are append-only: the only change allowed is voiding a live event, once.
CREATE OR REPLACE FUNCTION clock_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.voided_at IS NULL AND NEW.voided_at IS NOT NULL
     AND NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.kind = OLD.kind
     AND NEW.at = OLD.at AND NEW.occurred_on = OLD.occurred_on AND NEW.data = OLD.data
     AND NEW.note IS NOT DISTINCT FROM OLD.note AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
     AND NEW.recorded_at = OLD.recorded_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'clock_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER clock_events_append_only BEFORE UPDATE OR DELETE ON clock_events
  FOR EACH ROW EXECUTE FUNCTION clock_events_guard();
