-- Complaints (domain/complaints.md): the state machine in the database, append-only
-- decisions and template versions, and the seeded reference data. Hand-written; the
-- tables are in the generated migration before this one.

-- §3: the (stream, from, to) moves the service's machine lists (test/complaints keeps them equal).
INSERT INTO complaint_allowed_moves (stream, from_status, to_status) VALUES
  ('cc', 'received', 'initial_contact'),
  ('cc', 'received', 'transferred'),
  ('cc', 'received', 'not_a_complaint'),
  ('cc', 'initial_contact', 'outside_sch3'),
  ('cc', 'initial_contact', 'recorded'),
  ('cc', 'outside_sch3', 'recorded'),
  ('cc', 'outside_sch3', 'resolved'),
  ('cc', 'recorded', 'referred_to_iopc'),
  ('cc', 'recorded', 'investigating'),
  ('cc', 'referred_to_iopc', 'investigating'),
  ('cc', 'review_requested', 'investigating'),
  ('cc', 'recorded', 'handling_otherwise'),
  ('cc', 'referred_to_iopc', 'handling_otherwise'),
  ('cc', 'review_requested', 'handling_otherwise'),
  ('cc', 'referred_to_iopc', 'iopc_investigating'),
  ('cc', 'recorded', 'outcome_determined'),
  ('cc', 'referred_to_iopc', 'outcome_determined'),
  ('cc', 'investigating', 'outcome_determined'),
  ('cc', 'iopc_investigating', 'outcome_determined'),
  ('cc', 'handling_otherwise', 'outcome_determined'),
  ('cc', 'outcome_determined', 'review_window'),
  ('cc', 'review_window', 'closed'),
  ('cc', 'review_window', 'review_requested'),
  ('cc', 'closed', 'review_requested'),
  ('cc', 'review_requested', 'closed'),
  ('cc', 'received', 'withdrawal_pending'),
  ('cc', 'initial_contact', 'withdrawal_pending'),
  ('cc', 'outside_sch3', 'withdrawal_pending'),
  ('cc', 'recorded', 'withdrawal_pending'),
  ('cc', 'referred_to_iopc', 'withdrawal_pending'),
  ('cc', 'investigating', 'withdrawal_pending'),
  ('cc', 'iopc_investigating', 'withdrawal_pending'),
  ('cc', 'handling_otherwise', 'withdrawal_pending'),
  ('cc', 'outcome_determined', 'withdrawal_pending'),
  ('cc', 'review_window', 'withdrawal_pending'),
  ('cc', 'review_requested', 'withdrawal_pending'),
  ('cc', 'withdrawal_pending', 'received'),
  ('cc', 'withdrawal_pending', 'initial_contact'),
  ('cc', 'withdrawal_pending', 'outside_sch3'),
  ('cc', 'withdrawal_pending', 'recorded'),
  ('cc', 'withdrawal_pending', 'referred_to_iopc'),
  ('cc', 'withdrawal_pending', 'investigating'),
  ('cc', 'withdrawal_pending', 'iopc_investigating'),
  ('cc', 'withdrawal_pending', 'handling_otherwise'),
  ('cc', 'withdrawal_pending', 'outcome_determined'),
  ('cc', 'withdrawal_pending', 'review_window'),
  ('cc', 'withdrawal_pending', 'review_requested'),
  ('cc', 'received', 'withdrawn'),
  ('cc', 'initial_contact', 'withdrawn'),
  ('cc', 'outside_sch3', 'withdrawn'),
  ('cc', 'recorded', 'withdrawn'),
  ('cc', 'referred_to_iopc', 'withdrawn'),
  ('cc', 'investigating', 'withdrawn'),
  ('cc', 'iopc_investigating', 'withdrawn'),
  ('cc', 'handling_otherwise', 'withdrawn'),
  ('cc', 'outcome_determined', 'withdrawn'),
  ('cc', 'review_window', 'withdrawn'),
  ('cc', 'review_requested', 'withdrawn'),
  ('cc', 'withdrawal_pending', 'withdrawn'),
  ('review', 'received', 'validity_check'),
  ('review', 'validity_check', 'in_review'),
  ('review', 'validity_check', 'forwarded_to_iopc'),
  ('review', 'validity_check', 'closed'),
  ('review', 'in_review', 'decided'),
  ('review', 'decided', 'awaiting_force_response'),
  ('review', 'decided', 'closed'),
  ('review', 'awaiting_force_response', 'closed'),
  ('review', 'received', 'withdrawn'),
  ('review', 'validity_check', 'withdrawn'),
  ('review', 'in_review', 'withdrawn'),
  ('review', 'decided', 'withdrawn'),
  ('review', 'awaiting_force_response', 'withdrawn'),
  ('opcc', 'received', 'closed'),
  ('opcc', 'received', 'transferred')
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- A new complaint starts as received; a status change must be a listed move of its stream.
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
  ) THEN
    RAISE EXCEPTION 'complaint move % -> % is not allowed', OLD.status, NEW.status USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER complaints_status_guard BEFORE INSERT OR UPDATE ON complaints
  FOR EACH ROW EXECUTE FUNCTION complaints_status_guard();
--> statement-breakpoint
-- Decisions are append-only; the retention sweep may only clear their free text.
CREATE OR REPLACE FUNCTION complaint_transitions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('opcc.complaint_disposal', true) = 'on'
     AND NEW.id = OLD.id AND NEW.complaint_id = OLD.complaint_id AND NEW.kind = OLD.kind
     AND NEW.from_status IS NOT DISTINCT FROM OLD.from_status
     AND NEW.to_status IS NOT DISTINCT FROM OLD.to_status
     AND NEW.at = OLD.at AND NEW.occurred_on = OLD.occurred_on
     AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.recorded_at = OLD.recorded_at
     AND NEW.reasons IS NULL AND NEW.decision_maker IS NULL AND NEW.criteria = '{}'::jsonb THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'complaint_transitions is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER complaint_transitions_append_only BEFORE UPDATE OR DELETE ON complaint_transitions
  FOR EACH ROW EXECUTE FUNCTION complaint_transitions_guard();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION complaint_letter_templates_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'complaint_letter_templates rows are versions: insert a new one (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER complaint_letter_templates_immutable BEFORE UPDATE OR DELETE ON complaint_letter_templates
  FOR EACH ROW EXECUTE FUNCTION complaint_letter_templates_guard();
--> statement-breakpoint
-- §2: IOPC categories (confirmed) and the provisional ones (confirmed = false).
INSERT INTO complaint_categories (code, label, confirmed) VALUES
  ('delivery_of_duties', 'Delivery of duties and service', true),
  ('police_powers', 'Police powers, policies and procedures', true),
  ('individual_behaviours', 'Individual behaviours', true),
  ('discriminatory_behaviour', 'Discriminatory behaviour', true),
  ('discreditable_conduct', 'Discreditable conduct', true),
  ('handling_of_property', 'Handling of or damage to property or premises', false),
  ('use_of_police_vehicles', 'Use of police vehicles', false),
  ('abuse_of_position', 'Abuse of position or corruption', false),
  ('sexual_conduct', 'Sexual conduct', false),
  ('access_disclosure_information', 'Access to and disclosure of information', false),
  ('other', 'Other', false)
ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO complaint_categories (code, label, confirmed, parent_id)
SELECT v.code, v.label, true, p.id FROM (VALUES
  ('police_action_following_contact', 'Police action following contact'),
  ('general_level_of_service', 'General level of service')
) AS v(code, label) CROSS JOIN complaint_categories p WHERE p.code = 'delivery_of_duties'
ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO complaint_factors (code, label, confirmed) VALUES
  ('age', 'Age', false),
  ('disability', 'Disability', false),
  ('race', 'Race', false),
  ('religion_or_belief', 'Religion or belief', false),
  ('sex', 'Sex', false),
  ('sexual_orientation', 'Sexual orientation', false),
  ('gender_reassignment', 'Gender reassignment', false),
  ('mental_health', 'Mental health', false),
  ('domestic_abuse', 'Domestic abuse', false),
  ('use_of_force', 'Use of force', false),
  ('social_media', 'Social media', false)
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- §2 regime by made_on (admin data): 2012 before 1 Feb 2020, then 2020; SI 2025/558 amends
-- from 1 Jun 2025 (the date here is this office's reading: change it if it differs).
INSERT INTO complaint_regimes (code, kind, applies_from, applies_to, label) VALUES
  ('2012', 'regime', '2012-11-22', '2020-01-31', 'Police (Complaints and Misconduct) Regulations 2012'),
  ('2020', 'regime', '2020-02-01', NULL, 'Police (Complaints and Misconduct) Regulations 2020'),
  ('2025/558', 'amendment', '2025-06-01', NULL, 'SI 2025/558 (electronic notices)')
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- §3.1, §3.4, §4, §7: office settings (configurable, never hard-coded).
INSERT INTO complaint_settings (key, value) VALUES
  ('record_target_wd', '10'),
  ('first_contact_target_wd', '5'),
  ('referral_deadline_days', '1'),
  ('review_acknowledge_wd', '5'),
  ('review_decide_wd', '28'),
  ('complaint_retention_years', '6'),
  ('update_clock_start', '"received_on"'),
  ('cc_requires_investigation', '"warn"')
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- §3.3 letter templates, version 1 each. Merge fields: {{ reference }}, {{ complainantName }},
-- {{ allegations }}, {{ outcomes }}, {{ reviewBody }}, {{ reviewLastDay }}, {{ nextUpdateDate }},
-- {{ handling }}, {{ namedContact }}, {{ officeName }}, {{ reason }}, {{ date }}.
INSERT INTO complaint_letter_templates (key, version, subject, body) VALUES
  ('acknowledgement', 1, 'Your complaint {{ reference }}',
   E'Dear {{ complainantName }}\n\nThank you for your complaint about the Chief Constable, which we received and have given the reference {{ reference }}.\n\nYour contact is {{ namedContact }} in the {{ officeName }}: please write to them directly rather than calling 101.\n\nWhat happens next: we will contact you within 5 working days to discuss your complaint and how it can be handled. You may ask at any time for your complaint to be formally recorded under Schedule 3 of the Police Reform Act 2002.\n\nYours sincerely\n{{ namedContact }}\n{{ officeName }}'),
  ('recording_decision', 1, 'Your complaint {{ reference }} has been recorded',
   E'Dear {{ complainantName }}\n\nYour complaint {{ reference }} has been recorded under Schedule 3 of the Police Reform Act 2002 (regulation 3).\n\nThe allegations as we understand them:\n{{ allegations }}\n\nPlease tell us if we have not understood them correctly.\n\nHow it will be handled: {{ handling }}.\n\nYours sincerely\n{{ namedContact }}\n{{ officeName }}'),
  ('non_recording', 1, 'Your complaint {{ reference }}',
   E'Dear {{ complainantName }}\n\nWe have not recorded your complaint {{ reference }}: {{ reason }}\n\nYou may ask at any time for your complaint to be recorded.\n\nYours sincerely\n{{ namedContact }}\n{{ officeName }}'),
  ('update_4_weekly', 1, 'An update on your complaint {{ reference }}',
   E'Dear {{ complainantName }}\n\nThis is an update on your complaint {{ reference }}, which is being {{ handling }}.\n\nWe will write again by {{ nextUpdateDate }}.\n\nYours sincerely\n{{ namedContact }}\n{{ officeName }}'),
  ('outcome_with_review_rights', 1, 'The outcome of your complaint {{ reference }}',
   E'Dear {{ complainantName }}\n\nYour complaint {{ reference }} has been {{ handling }}. The outcome for each allegation:\n{{ outcomes }}\n\nYour right to a review\nIf you are unhappy with the outcome you may apply for a review to {{ reviewBody }}, on the ground that the outcome was not reasonable and proportionate. The last day to apply is {{ reviewLastDay }}.\nTo apply, use the review form on the IOPC website (www.policeconduct.gov.uk) or write to the IOPC, quoting {{ reference }} and saying why you think the outcome is not reasonable and proportionate (regulation 33(2)(a)).\n\nYours sincerely\n{{ namedContact }}\n{{ officeName }}'),
  ('outcome_outside_sch3', 1, 'The outcome of your complaint {{ reference }}',
   E'Dear {{ complainantName }}\n\nYour complaint {{ reference }} was handled outside Schedule 3 of the Police Reform Act 2002. The outcome:\n{{ outcomes }}\n\nBecause it was handled outside Schedule 3 there is no right of review of this outcome. If you are not satisfied, you may ask for your complaint to be recorded under Schedule 3.\n\nYours sincerely\n{{ namedContact }}\n{{ officeName }}'),
  ('withdrawal_confirmation', 1, 'Withdrawing your complaint {{ reference }}',
   E'Dear {{ complainantName }}\n\nWe understand you wish to withdraw your complaint {{ reference }}. Please confirm this in writing.\n\nIf we do not hear from you within 28 days of the day after the date of this letter ({{ date }}), we will treat your complaint as withdrawn (regulation 39).\n\nYours sincerely\n{{ namedContact }}\n{{ officeName }}'),
  ('report_12m', 1, 'Your complaint {{ reference }}: investigation report',
   E'Dear {{ complainantName }}\n\nThe investigation into your complaint {{ reference }} has not finished within 12 months. This report explains its progress and what remains to be done (regulation 13).\n\nYours sincerely\n{{ namedContact }}\n{{ officeName }}')
ON CONFLICT DO NOTHING;
