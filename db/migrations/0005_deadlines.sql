CREATE TABLE "bank_holidays" (
	"division" text NOT NULL,
	"date" date NOT NULL,
	"title" text NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by_id" uuid,
	"missing_since" timestamp with time zone,
	"removed_at" timestamp with time zone,
	"removed_by_id" uuid,
	CONSTRAINT "bank_holidays_division_date_pk" PRIMARY KEY("division","date")
);
--> statement-breakpoint
CREATE TABLE "case_deadlines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"calendar" text NOT NULL,
	"due_on" date,
	"base_due_on" date,
	"extended_due_on" date,
	"effective_due_on" date,
	"start_on" date,
	"rule" text NOT NULL,
	"rule_version" text NOT NULL,
	"calendar_version" integer NOT NULL,
	"generation" integer DEFAULT 1 NOT NULL,
	"coverage_incomplete" boolean DEFAULT false NOT NULL,
	"stopped" boolean DEFAULT false NOT NULL,
	"completed_on" date,
	"skipped" jsonb NOT NULL,
	"explanation" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"superseded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "clock_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"occurred_on" date NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"note" text,
	"actor_id" uuid,
	"recorded_at" timestamp with time zone NOT NULL,
	"voided_at" timestamp with time zone,
	"void_reason" text,
	"voided_by_id" uuid
);
--> statement-breakpoint
CREATE TABLE "deadline_notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"generation" integer NOT NULL,
	"stage" text NOT NULL,
	"due_on" date NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"attempted_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"email_id" uuid,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "holiday_calendar" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_refresh_at" timestamp with time zone,
	"last_refresh_error" text,
	"failed_refresh_days" integer DEFAULT 0 NOT NULL,
	"last_failed_refresh_on" date,
	"failure_alert_sent_at" timestamp with time zone,
	CONSTRAINT "holiday_calendar_single_row" CHECK ("holiday_calendar"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "sla_policies" (
	"case_type" text NOT NULL,
	"kind" text NOT NULL,
	"unit" text NOT NULL,
	"amount" integer NOT NULL,
	"calendar" text DEFAULT 'england_wales' NOT NULL,
	"warn_wd_before" integer NOT NULL,
	"escalate_wd_after" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by_id" uuid,
	CONSTRAINT "sla_policies_case_type_kind_pk" PRIMARY KEY("case_type","kind"),
	CONSTRAINT "sla_policies_amount" CHECK ("sla_policies"."amount" between 0 and 365),
	CONSTRAINT "sla_policies_warn" CHECK ("sla_policies"."warn_wd_before" between 0 and 60),
	CONSTRAINT "sla_policies_escalate" CHECK ("sla_policies"."escalate_wd_after" between 1 and 60)
);
--> statement-breakpoint
ALTER TABLE "bank_holidays" ADD CONSTRAINT "bank_holidays_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_holidays" ADD CONSTRAINT "bank_holidays_removed_by_id_users_id_fk" FOREIGN KEY ("removed_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_deadlines" ADD CONSTRAINT "case_deadlines_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clock_events" ADD CONSTRAINT "clock_events_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clock_events" ADD CONSTRAINT "clock_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clock_events" ADD CONSTRAINT "clock_events_voided_by_id_users_id_fk" FOREIGN KEY ("voided_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadline_notifications" ADD CONSTRAINT "deadline_notifications_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_policies" ADD CONSTRAINT "sla_policies_updated_by_id_users_id_fk" FOREIGN KEY ("updated_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "case_deadlines_live_uq" ON "case_deadlines" USING btree ("case_id","kind") WHERE "case_deadlines"."superseded_at" is null;--> statement-breakpoint
CREATE INDEX "case_deadlines_due_idx" ON "case_deadlines" USING btree ("effective_due_on") WHERE "case_deadlines"."superseded_at" is null;--> statement-breakpoint
CREATE INDEX "case_deadlines_calendar_idx" ON "case_deadlines" USING btree ("calendar_version") WHERE "case_deadlines"."superseded_at" is null;--> statement-breakpoint
CREATE INDEX "clock_events_case_idx" ON "clock_events" USING btree ("case_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "deadline_notifications_stage_uq" ON "deadline_notifications" USING btree ("case_id","kind","generation","stage");--> statement-breakpoint
CREATE INDEX "deadline_notifications_pending_idx" ON "deadline_notifications" USING btree ("created_at") WHERE "deadline_notifications"."status" = 'pending';