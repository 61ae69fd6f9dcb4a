-- A saved template version never changes: editing inserts version n+1 of the same family.
CREATE OR REPLACE FUNCTION reply_templates_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'reply_templates versions are immutable (% refused): save a new version', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER reply_templates_no_change BEFORE UPDATE OR DELETE ON reply_templates
  FOR EACH ROW EXECUTE FUNCTION reply_templates_refuse_change();
--> statement-breakpoint
-- What was sent stays as it was sent: only the delivery columns of a reply may change.
CREATE OR REPLACE FUNCTION outbound_messages_keep_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'outbound_messages rows are kept (DELETE refused)' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.case_id IS DISTINCT FROM OLD.case_id
     OR NEW.channel IS DISTINCT FROM OLD.channel OR NEW.responds IS DISTINCT FROM OLD.responds
     OR NEW.template_id IS DISTINCT FROM OLD.template_id
     OR NEW.template_version IS DISTINCT FROM OLD.template_version
     OR NEW.to_address IS DISTINCT FROM OLD.to_address OR NEW.subject IS DISTINCT FROM OLD.subject
     OR NEW.body IS DISTINCT FROM OLD.body OR NEW.email_id IS DISTINCT FROM OLD.email_id
     OR NEW.message_id IS DISTINCT FROM OLD.message_id OR NEW.in_reply_to IS DISTINCT FROM OLD.in_reply_to
     OR NEW."references" IS DISTINCT FROM OLD."references"
     OR NEW.created_by_id IS DISTINCT FROM OLD.created_by_id OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION 'outbound_messages keep the text as sent: only status, sent_at, failed_at and error change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER outbound_messages_keep_text BEFORE UPDATE OR DELETE ON outbound_messages
  FOR EACH ROW EXECUTE FUNCTION outbound_messages_keep_text();
--> statement-breakpoint
-- Starter templates (version 1 of each family); admins edit them into new versions.
INSERT INTO reply_templates (id, family_id, version, name, purpose, case_types, subject, body) VALUES
(
  '3a0c7d52-0b1e-4f57-9d5e-6a1d2c000001', '3a0c7d52-0b1e-4f57-9d5e-6a1d2c0000a1', 1,
  'Acknowledgement', 'acknowledgement', '{}'::text[],
  'We have received your correspondence',
  E'Dear {{ contact.salutation }},\n\nThank you for contacting the {{ office.name }}. We received your correspondence on {{ receivedDate }} and have given it the reference {{ reference }}. Please quote this reference if you contact us about it.\n\n{% if dueDate %}We aim to reply by {{ dueDate }}.\n\n{% endif %}Yours sincerely,\n\n{{ caseworker.name }}\n{{ caseworker.jobTitle }}\n{{ office.name }}\n{{ office.address }}'
),
(
  '3a0c7d52-0b1e-4f57-9d5e-6a1d2c000002', '3a0c7d52-0b1e-4f57-9d5e-6a1d2c0000a2', 1,
  'Freedom of information response', 'response', '{foi,eir}'::text[],
  'Your request for information',
  E'Dear {{ contact.salutation }},\n\nRequest for information: {{ reference }}\n\nThank you for your request for information, which we received on {{ receivedDate }}.\n\n[Set out the information you asked for, or explain what we hold and why any of it is withheld, naming each exemption.]\n\n{{ icoRights }}\n\nYours sincerely,\n\n{{ caseworker.name }}\n{{ caseworker.jobTitle }}\n{{ office.name }}\n{{ office.address }}'
),
(
  '3a0c7d52-0b1e-4f57-9d5e-6a1d2c000003', '3a0c7d52-0b1e-4f57-9d5e-6a1d2c0000a3', 1,
  'Subject access response', 'response', '{sar}'::text[],
  'Your subject access request',
  E'Dear {{ contact.salutation }},\n\nSubject access request: {{ reference }}\n\nThank you for your request for a copy of your personal data, which we received on {{ receivedDate }}.\n\n[Describe the personal data enclosed, the purposes we process it for, who we share it with, how long we keep it and where it came from.]\n\n{{ icoRights }}\n\nYours sincerely,\n\n{{ caseworker.name }}\n{{ caseworker.jobTitle }}\n{{ office.name }}\n{{ office.address }}'
),
(
  '3a0c7d52-0b1e-4f57-9d5e-6a1d2c000004', '3a0c7d52-0b1e-4f57-9d5e-6a1d2c0000a4', 1,
  'General reply', 'response', '{complaint,suggestion,compliment,general}'::text[],
  'Your correspondence',
  E'Dear {{ contact.salutation }},\n\nThank you for contacting the {{ office.name }} on {{ receivedDate }} (our reference {{ reference }}).\n\n[Write the reply here.]\n\nYours sincerely,\n\n{{ caseworker.name }}\n{{ caseworker.jobTitle }}\n{{ office.name }}\n{{ office.address }}'
),
(
  '3a0c7d52-0b1e-4f57-9d5e-6a1d2c000005', '3a0c7d52-0b1e-4f57-9d5e-6a1d2c0000a5', 1,
  'Reply to an MP', 'response', '{mp_enquiry}'::text[],
  'Your enquiry on behalf of a constituent',
  E'Dear {{ contact.salutation }},\n\nThank you for your letter of {{ receivedDate }} on behalf of {{ constituent.fullName }} (our reference {{ reference }}).\n\n[Write the reply here.]\n\nYours sincerely,\n\n{{ caseworker.name }}\n{{ caseworker.jobTitle }}\n{{ office.name }}\n{{ office.address }}'
)
ON CONFLICT (id) DO NOTHING;
