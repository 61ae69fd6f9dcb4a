CREATE TABLE "complainant_equality" (
	"complaint_id" uuid PRIMARY KEY NOT NULL,
	"age_band" text,
	"sex" text,
	"ethnicity" text,
	"disability" text,
	"religion" text,
	"sexual_orientation" text
);
--> statement-breakpoint
CREATE TABLE "complainants" (
	"complaint_id" uuid PRIMARY KEY NOT NULL,
	"contact_id" uuid,
	"name" text NOT NULL,
	"email" text,
	"phone" text,
	"address" text,
	"postcode" text,
	"basis" text DEFAULT 'person_concerned' NOT NULL,
	"consent" boolean DEFAULT false NOT NULL,
	"allegations_confirmed_on" date
);
--> statement-breakpoint
CREATE TABLE "complaint_access" (
	"complaint_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"granted_by_id" uuid,
	"granted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "complaint_access_complaint_id_user_id_pk" PRIMARY KEY("complaint_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "complaint_allegations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"complaint_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"category_id" uuid NOT NULL,
	"subcategory_id" uuid,
	"description" text,
	"factor_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"outcome" text,
	"actions" text[] DEFAULT '{}'::text[] NOT NULL,
	"action_other" text
);
--> statement-breakpoint
CREATE TABLE "complaint_allowed_moves" (
	"stream" text NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	CONSTRAINT "complaint_allowed_moves_stream_from_status_to_status_pk" PRIMARY KEY("stream","from_status","to_status")
);
--> statement-breakpoint
CREATE TABLE "complaint_categories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"parent_id" uuid,
	"code" text NOT NULL,
	"label" text NOT NULL,
	"valid_from" date DEFAULT '2020-02-01' NOT NULL,
	"valid_to" date,
	"confirmed" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "complaint_contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"complaint_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"occurred_on" date NOT NULL,
	"channel" text NOT NULL,
	"template_id" uuid,
	"template_key" text,
	"template_version" integer,
	"subject" text,
	"body" text,
	"email_id" uuid,
	"due_on" date,
	"harm_test_withheld" boolean DEFAULT false NOT NULL,
	"harm_test_reason" text,
	"created_by_id" uuid,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "complaint_disposals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"complaint_id" uuid NOT NULL,
	"reference" text NOT NULL,
	"concluded_on" date NOT NULL,
	"disposed_at" timestamp with time zone NOT NULL,
	"rule" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "complaint_factors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"label" text NOT NULL,
	"valid_from" date DEFAULT '2020-02-01' NOT NULL,
	"valid_to" date,
	"confirmed" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "complaint_letter_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"version" integer NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"created_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "complaint_reference_counters" (
	"prefix" text NOT NULL,
	"year" integer NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "complaint_reference_counters_prefix_year_pk" PRIMARY KEY("prefix","year")
);
--> statement-breakpoint
CREATE TABLE "complaint_regimes" (
	"code" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"applies_from" date NOT NULL,
	"applies_to" date,
	"label" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "complaint_reminders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"complaint_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"generation" integer NOT NULL,
	"stage" text NOT NULL,
	"due_on" date NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"email_id" uuid,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "complaint_reviews" (
	"complaint_id" uuid PRIMARY KEY NOT NULL,
	"force_reference" text NOT NULL,
	"info_given_on" date NOT NULL,
	"applied_on" date NOT NULL,
	"valid" boolean,
	"rrb" text DEFAULT 'pcc' NOT NULL,
	"result" text,
	"decided_on" date,
	"recommendations" text,
	"recommendations_accepted" boolean,
	"force_responded_on" date
);
--> statement-breakpoint
CREATE TABLE "complaint_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "complaint_timers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"complaint_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"generation" integer NOT NULL,
	"start_on" date NOT NULL,
	"due_on" date NOT NULL,
	"stopped" boolean DEFAULT false NOT NULL,
	"stopped_on" date,
	"explanation" jsonb NOT NULL,
	"calendar_version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"superseded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "complaint_transitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"complaint_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"at" timestamp with time zone NOT NULL,
	"occurred_on" date NOT NULL,
	"actor_id" uuid,
	"actor_role" text,
	"decision_maker" text,
	"reasons" text,
	"criteria" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "complaints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"stream" text NOT NULL,
	"regime" text NOT NULL,
	"regime_amendments" text[] DEFAULT '{}'::text[] NOT NULL,
	"made_on" date NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"received_on" date NOT NULL,
	"channel" text NOT NULL,
	"recorded_on" date,
	"status" text NOT NULL,
	"suspended" boolean DEFAULT false NOT NULL,
	"assignee_id" uuid,
	"manager_id" uuid,
	"subject_kind" text DEFAULT 'chief_constable' NOT NULL,
	"summary" text,
	"handling" text,
	"investigation_mode" text,
	"recording_requested" boolean DEFAULT false NOT NULL,
	"mandatory_criteria" text[] DEFAULT '{}'::text[] NOT NULL,
	"referral_decision" text,
	"first_contact_on" date,
	"handling_started_on" date,
	"investigation_ended_on" date,
	"referral_decided_on" date,
	"outcome_on" date,
	"review_info_given_on" date,
	"review_result" text,
	"withdrawal_letter_on" date,
	"withdrawal_returns_to" text,
	"handling_generation" integer DEFAULT 1 NOT NULL,
	"concluded_on" date,
	"wd_to_record" integer,
	"wd_to_first_contact" integer,
	"wd_to_conclude" integer,
	"last_event_on" date NOT NULL,
	"legal_hold" boolean DEFAULT false NOT NULL,
	"legal_hold_reason" text,
	"case_id" uuid,
	"disposed_at" timestamp with time zone,
	"created_by_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "complaints_version_positive" CHECK ("complaints"."version" > 0)
);
--> statement-breakpoint
CREATE TABLE "force_complaint_figures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"period" text NOT NULL,
	"measure" text NOT NULL,
	"force" numeric,
	"msf" numeric,
	"national" numeric,
	"source" text NOT NULL,
	"updated_by_id" uuid,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "complainant_equality" ADD CONSTRAINT "complainant_equality_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complainants" ADD CONSTRAINT "complainants_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complainants" ADD CONSTRAINT "complainants_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_access" ADD CONSTRAINT "complaint_access_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_access" ADD CONSTRAINT "complaint_access_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_access" ADD CONSTRAINT "complaint_access_granted_by_id_users_id_fk" FOREIGN KEY ("granted_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_allegations" ADD CONSTRAINT "complaint_allegations_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_allegations" ADD CONSTRAINT "complaint_allegations_category_id_complaint_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."complaint_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_allegations" ADD CONSTRAINT "complaint_allegations_subcategory_id_complaint_categories_id_fk" FOREIGN KEY ("subcategory_id") REFERENCES "public"."complaint_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_contacts" ADD CONSTRAINT "complaint_contacts_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_contacts" ADD CONSTRAINT "complaint_contacts_template_id_complaint_letter_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."complaint_letter_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_contacts" ADD CONSTRAINT "complaint_contacts_email_id_email_messages_id_fk" FOREIGN KEY ("email_id") REFERENCES "public"."email_messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_contacts" ADD CONSTRAINT "complaint_contacts_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_disposals" ADD CONSTRAINT "complaint_disposals_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_letter_templates" ADD CONSTRAINT "complaint_letter_templates_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_reminders" ADD CONSTRAINT "complaint_reminders_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_reminders" ADD CONSTRAINT "complaint_reminders_email_id_email_messages_id_fk" FOREIGN KEY ("email_id") REFERENCES "public"."email_messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_reviews" ADD CONSTRAINT "complaint_reviews_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_timers" ADD CONSTRAINT "complaint_timers_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_transitions" ADD CONSTRAINT "complaint_transitions_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_transitions" ADD CONSTRAINT "complaint_transitions_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_manager_id_users_id_fk" FOREIGN KEY ("manager_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "force_complaint_figures" ADD CONSTRAINT "force_complaint_figures_updated_by_id_users_id_fk" FOREIGN KEY ("updated_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "complaint_access_user_idx" ON "complaint_access" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "complaint_allegations_complaint_idx" ON "complaint_allegations" USING btree ("complaint_id");--> statement-breakpoint
CREATE INDEX "complaint_allegations_category_idx" ON "complaint_allegations" USING btree ("category_id");--> statement-breakpoint
CREATE UNIQUE INDEX "complaint_categories_code_uq" ON "complaint_categories" USING btree ("code");--> statement-breakpoint
CREATE INDEX "complaint_contacts_complaint_idx" ON "complaint_contacts" USING btree ("complaint_id","occurred_on");--> statement-breakpoint
CREATE UNIQUE INDEX "complaint_factors_code_uq" ON "complaint_factors" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "complaint_letter_templates_key_version_uq" ON "complaint_letter_templates" USING btree ("key","version");--> statement-breakpoint
CREATE UNIQUE INDEX "complaint_reminders_stage_uq" ON "complaint_reminders" USING btree ("complaint_id","kind","generation","stage");--> statement-breakpoint
CREATE INDEX "complaint_reminders_pending_idx" ON "complaint_reminders" USING btree ("created_at") WHERE "complaint_reminders"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "complaint_timers_live_uq" ON "complaint_timers" USING btree ("complaint_id","kind") WHERE "complaint_timers"."superseded_at" is null;--> statement-breakpoint
CREATE INDEX "complaint_timers_due_idx" ON "complaint_timers" USING btree ("due_on") WHERE "complaint_timers"."superseded_at" is null and not "complaint_timers"."stopped";--> statement-breakpoint
CREATE INDEX "complaint_transitions_complaint_idx" ON "complaint_transitions" USING btree ("complaint_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "complaints_reference_uq" ON "complaints" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "complaints_case_uq" ON "complaints" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "complaints_received_idx" ON "complaints" USING btree ("stream","received_on");--> statement-breakpoint
CREATE INDEX "complaints_concluded_idx" ON "complaints" USING btree ("concluded_on");--> statement-breakpoint
CREATE INDEX "complaints_status_idx" ON "complaints" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "force_complaint_figures_uq" ON "force_complaint_figures" USING btree ("period","measure");