CREATE TABLE "outbound_messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"status" text NOT NULL,
	"responds" boolean NOT NULL,
	"template_id" uuid,
	"template_version" integer,
	"to_address" text,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"email_id" uuid,
	"message_id" text,
	"in_reply_to" text,
	"references" text,
	"created_by_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "reply_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"family_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"purpose" text NOT NULL,
	"case_types" text[] DEFAULT '{}'::text[] NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"created_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "disclosure_log_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"reference" text NOT NULL,
	"title" text NOT NULL,
	"request_text" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"outcome" text,
	"exemptions" text[] DEFAULT '{}'::text[] NOT NULL,
	"response_date" date NOT NULL,
	"topics" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"personal_data_removed" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by_id" uuid,
	"confirmed_by_id" uuid,
	"approved_by_id" uuid,
	"approved_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"withdrawn_at" timestamp with time zone,
	"withdrawn_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce("disclosure_log_entries"."title", '')), 'A') || setweight(to_tsvector('english', coalesce("disclosure_log_entries"."request_text", '') || ' ' || coalesce("disclosure_log_entries"."summary", '')), 'B')) STORED
);
--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_template_id_reply_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."reply_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_email_id_email_messages_id_fk" FOREIGN KEY ("email_id") REFERENCES "public"."email_messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reply_templates" ADD CONSTRAINT "reply_templates_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disclosure_log_entries" ADD CONSTRAINT "disclosure_log_entries_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disclosure_log_entries" ADD CONSTRAINT "disclosure_log_entries_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disclosure_log_entries" ADD CONSTRAINT "disclosure_log_entries_confirmed_by_id_users_id_fk" FOREIGN KEY ("confirmed_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disclosure_log_entries" ADD CONSTRAINT "disclosure_log_entries_approved_by_id_users_id_fk" FOREIGN KEY ("approved_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "outbound_messages_case_idx" ON "outbound_messages" USING btree ("case_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_messages_email_uq" ON "outbound_messages" USING btree ("email_id");--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_messages_message_id_uq" ON "outbound_messages" USING btree ("message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reply_templates_family_version_uq" ON "reply_templates" USING btree ("family_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "disclosure_log_entries_case_uq" ON "disclosure_log_entries" USING btree ("case_id");--> statement-breakpoint
CREATE UNIQUE INDEX "disclosure_log_entries_reference_uq" ON "disclosure_log_entries" USING btree ("reference");--> statement-breakpoint
CREATE INDEX "disclosure_log_entries_public_idx" ON "disclosure_log_entries" USING btree ("status","response_date");--> statement-breakpoint
CREATE INDEX "disclosure_log_entries_search_idx" ON "disclosure_log_entries" USING gin ("search");