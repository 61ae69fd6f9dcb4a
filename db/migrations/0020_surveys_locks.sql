-- Launch locks anonymity and structure (surveys.md §1): wording fixes stay possible.
CREATE OR REPLACE FUNCTION surveys_lock_launched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.launched_at IS NOT NULL AND (
       NEW.anonymous IS DISTINCT FROM OLD.anonymous
       OR NEW.launched_at IS DISTINCT FROM OLD.launched_at) THEN
    RAISE EXCEPTION 'survey % is launched: anonymity is fixed', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'surveys_launched_lock';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER surveys_lock_launched BEFORE UPDATE ON surveys
  FOR EACH ROW EXECUTE FUNCTION surveys_lock_launched();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION survey_questions_lock_launched() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sid uuid := CASE WHEN TG_OP = 'INSERT' THEN NEW.survey_id ELSE OLD.survey_id END;
BEGIN
  IF EXISTS (SELECT 1 FROM surveys WHERE id = sid AND launched_at IS NOT NULL) THEN
    IF TG_OP <> 'UPDATE' OR NEW.key IS DISTINCT FROM OLD.key OR NEW.kind IS DISTINCT FROM OLD.kind
       OR NEW.max_choices IS DISTINCT FROM OLD.max_choices OR NEW.required IS DISTINCT FROM OLD.required
       OR NEW.survey_id IS DISTINCT FROM OLD.survey_id
       OR NEW.special_category IS DISTINCT FROM OLD.special_category THEN
      RAISE EXCEPTION 'survey % is launched: its questions are fixed', sid
        USING ERRCODE = 'check_violation', CONSTRAINT = 'surveys_launched_lock';
    END IF;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
--> statement-breakpoint
CREATE TRIGGER survey_questions_lock_launched BEFORE INSERT OR UPDATE OR DELETE ON survey_questions
  FOR EACH ROW EXECUTE FUNCTION survey_questions_lock_launched();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION survey_options_lock_launched() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  qid uuid := CASE WHEN TG_OP = 'INSERT' THEN NEW.question_id ELSE OLD.question_id END;
BEGIN
  IF EXISTS (SELECT 1 FROM survey_questions q JOIN surveys s ON s.id = q.survey_id
             WHERE q.id = qid AND s.launched_at IS NOT NULL) THEN
    IF TG_OP <> 'UPDATE' OR NEW.key IS DISTINCT FROM OLD.key OR NEW.id IS DISTINCT FROM OLD.id
       OR NEW.behaviour IS DISTINCT FROM OLD.behaviour OR NEW.question_id IS DISTINCT FROM OLD.question_id THEN
      RAISE EXCEPTION 'question % is launched: its options are fixed', qid
        USING ERRCODE = 'check_violation', CONSTRAINT = 'surveys_launched_lock';
    END IF;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
--> statement-breakpoint
CREATE TRIGGER survey_options_lock_launched BEFORE INSERT OR UPDATE OR DELETE ON survey_options
  FOR EACH ROW EXECUTE FUNCTION survey_options_lock_launched();
