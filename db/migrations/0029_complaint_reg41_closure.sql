ALTER TABLE "complaint_allowed_moves" ADD COLUMN "only_suspended" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Reg 41: a suspended complaint that is not resumed may be closed from any open status
-- that has no closing move of its own; the database allows it only while suspended, and
-- server/complaints/reg41.ts adds the rest (a refusal or 28 days' silence after the
-- resumption letter, a conduct-matter decision).
INSERT INTO complaint_allowed_moves (stream, from_status, to_status, only_suspended) VALUES
  ('cc', 'received', 'closed', true),
  ('cc', 'initial_contact', 'closed', true),
  ('cc', 'outside_sch3', 'closed', true),
  ('cc', 'recorded', 'closed', true),
  ('cc', 'referred_to_iopc', 'closed', true),
  ('cc', 'investigating', 'closed', true),
  ('cc', 'iopc_investigating', 'closed', true),
  ('cc', 'handling_otherwise', 'closed', true),
  ('cc', 'outcome_determined', 'closed', true),
  ('cc', 'withdrawal_pending', 'closed', true)
ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION complaints_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'received' THEN
      RAISE EXCEPTION 'a complaint starts as received, not %', NEW.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.stream <> OLD.stream THEN
    RAISE EXCEPTION 'a complaint''s stream cannot change' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT EXISTS (
    SELECT 1 FROM complaint_allowed_moves m
    WHERE m.stream = NEW.stream AND m.from_status = OLD.status AND m.to_status = NEW.status
      AND (NOT m.only_suspended OR OLD.suspended)
  ) THEN
    RAISE EXCEPTION 'complaint move % -> % is not allowed', OLD.status, NEW.status USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
