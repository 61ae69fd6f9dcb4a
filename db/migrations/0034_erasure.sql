CREATE TABLE "erasure_ledger" (
	"person_id" uuid PRIMARY KEY NOT NULL,
	"erased_at" timestamp with time zone NOT NULL,
	"erased_by_id" uuid,
	"justification" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "erasure_ledger" ADD CONSTRAINT "erasure_ledger_erased_by_id_users_id_fk" FOREIGN KEY ("erased_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- What was sent stays as it was sent, except under an erasure (Art 17): the erasure
-- transaction sets opcc.erasure = 'on' (SET LOCAL) and may blank the recipient and text.
CREATE OR REPLACE FUNCTION outbound_messages_keep_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'outbound_messages rows are kept (DELETE refused)' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.case_id IS DISTINCT FROM OLD.case_id
     OR NEW.channel IS DISTINCT FROM OLD.channel OR NEW.responds IS DISTINCT FROM OLD.responds
     OR NEW.template_id IS DISTINCT FROM OLD.template_id
     OR NEW.template_version IS DISTINCT FROM OLD.template_version
     OR NEW.email_id IS DISTINCT FROM OLD.email_id
     OR NEW.message_id IS DISTINCT FROM OLD.message_id OR NEW.in_reply_to IS DISTINCT FROM OLD.in_reply_to
     OR NEW."references" IS DISTINCT FROM OLD."references"
     OR NEW.created_by_id IS DISTINCT FROM OLD.created_by_id OR NEW.created_at IS DISTINCT FROM OLD.created_at
     OR (coalesce(current_setting('opcc.erasure', true), '') <> 'on'
         AND (NEW.to_address IS DISTINCT FROM OLD.to_address OR NEW.subject IS DISTINCT FROM OLD.subject
              OR NEW.body IS DISTINCT FROM OLD.body)) THEN
    RAISE EXCEPTION 'outbound_messages keep the text as sent: only status, sent_at, failed_at and error change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
