CREATE SEQUENCE "public"."surgery_booking_ref_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "street_conversation" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"surgery_id" uuid NOT NULL,
	"area" text NOT NULL,
	"topic" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"contact_name" text,
	"contact_email" text,
	"case_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"created_by_id" uuid
);
--> statement-breakpoint
CREATE TABLE "surgery" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"host" text NOT NULL,
	"title" text NOT NULL,
	"venue_id" uuid,
	"street_location" text,
	"area" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"slot_minutes" integer DEFAULT 15 NOT NULL,
	"places_per_slot" integer DEFAULT 1 NOT NULL,
	"booking_opens_at" timestamp with time zone,
	"booking_closes_at" timestamp with time zone,
	"min_notice_minutes" integer DEFAULT 1440 NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by_id" uuid,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text,
	CONSTRAINT "surgery_venue_xor_street" CHECK (("surgery"."venue_id" is null) <> ("surgery"."street_location" is null)),
	CONSTRAINT "surgery_ends_after_start" CHECK ("surgery"."ends_at" > "surgery"."starts_at"),
	CONSTRAINT "surgery_booking_window" CHECK ("surgery"."booking_opens_at" is null or "surgery"."booking_closes_at" is null or ("surgery"."booking_opens_at" < "surgery"."booking_closes_at" and "surgery"."booking_closes_at" <= "surgery"."starts_at")),
	CONSTRAINT "surgery_slot_minutes" CHECK ("surgery"."slot_minutes" between 5 and 240),
	CONSTRAINT "surgery_places" CHECK ("surgery"."places_per_slot" between 1 and 50)
);
--> statement-breakpoint
CREATE TABLE "surgery_booking" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"surgery_id" uuid NOT NULL,
	"slot_id" uuid NOT NULL,
	"status" text NOT NULL,
	"channel" text DEFAULT 'online' NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"phone" text,
	"area" text,
	"topic" text,
	"topic_detail" text,
	"adjustments" text,
	"idempotency_key" text,
	"request_hash" text,
	"manage_token_hash" text NOT NULL,
	"token_version" integer DEFAULT 1 NOT NULL,
	"ics_sequence" integer DEFAULT 0 NOT NULL,
	"reminder_due_at" timestamp with time zone,
	"reminder_attempted_at" timestamp with time zone,
	"reminder_sent_at" timestamp with time zone,
	"hold_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"confirmed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"cancelled_by" text,
	"cancelled_late" boolean DEFAULT false NOT NULL,
	"attendance" text,
	"case_id" uuid
);
--> statement-breakpoint
CREATE TABLE "surgery_journey" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"answers" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "surgery_note" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"booking_id" uuid NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by_id" uuid
);
--> statement-breakpoint
CREATE TABLE "surgery_slot" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"surgery_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"capacity" integer DEFAULT 1 NOT NULL,
	"booked" integer DEFAULT 0 NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "surgery_slot_booked_range" CHECK ("surgery_slot"."booked" between 0 and "surgery_slot"."capacity"),
	CONSTRAINT "surgery_slot_capacity" CHECK ("surgery_slot"."capacity" between 1 and 50)
);
--> statement-breakpoint
CREATE TABLE "surgery_waitlist" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"surgery_id" uuid NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"phone" text,
	"area" text,
	"joined_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'waiting' NOT NULL,
	"offer_booking_id" uuid,
	"offer_token_hash" text,
	"offered_at" timestamp with time zone,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "venue" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"address" text DEFAULT '' NOT NULL,
	"postcode" text DEFAULT '' NOT NULL,
	"access_notes" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "street_conversation" ADD CONSTRAINT "street_conversation_surgery_id_surgery_id_fk" FOREIGN KEY ("surgery_id") REFERENCES "public"."surgery"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "street_conversation" ADD CONSTRAINT "street_conversation_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "street_conversation" ADD CONSTRAINT "street_conversation_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "surgery" ADD CONSTRAINT "surgery_venue_id_venue_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venue"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "surgery" ADD CONSTRAINT "surgery_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "surgery_booking" ADD CONSTRAINT "surgery_booking_surgery_id_surgery_id_fk" FOREIGN KEY ("surgery_id") REFERENCES "public"."surgery"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "surgery_booking" ADD CONSTRAINT "surgery_booking_slot_id_surgery_slot_id_fk" FOREIGN KEY ("slot_id") REFERENCES "public"."surgery_slot"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "surgery_booking" ADD CONSTRAINT "surgery_booking_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "surgery_note" ADD CONSTRAINT "surgery_note_booking_id_surgery_booking_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."surgery_booking"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "surgery_note" ADD CONSTRAINT "surgery_note_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "surgery_slot" ADD CONSTRAINT "surgery_slot_surgery_id_surgery_id_fk" FOREIGN KEY ("surgery_id") REFERENCES "public"."surgery"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "surgery_waitlist" ADD CONSTRAINT "surgery_waitlist_surgery_id_surgery_id_fk" FOREIGN KEY ("surgery_id") REFERENCES "public"."surgery"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "surgery_waitlist" ADD CONSTRAINT "surgery_waitlist_offer_booking_id_surgery_booking_id_fk" FOREIGN KEY ("offer_booking_id") REFERENCES "public"."surgery_booking"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "street_conversation_surgery_idx" ON "street_conversation" USING btree ("surgery_id","created_at");--> statement-breakpoint
CREATE INDEX "surgery_starts_idx" ON "surgery" USING btree ("starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "surgery_booking_reference_uq" ON "surgery_booking" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "surgery_booking_idempotency_uq" ON "surgery_booking" USING btree ("idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "surgery_booking_token_uq" ON "surgery_booking" USING btree ("manage_token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "surgery_booking_person_uq" ON "surgery_booking" USING btree ("surgery_id",lower("email")) WHERE "surgery_booking"."status" in ('held', 'confirmed');--> statement-breakpoint
CREATE INDEX "surgery_booking_slot_idx" ON "surgery_booking" USING btree ("slot_id","status");--> statement-breakpoint
CREATE INDEX "surgery_booking_reminder_idx" ON "surgery_booking" USING btree ("reminder_due_at") WHERE "surgery_booking"."status" = 'confirmed' and "surgery_booking"."reminder_sent_at" is null;--> statement-breakpoint
CREATE INDEX "surgery_booking_hold_idx" ON "surgery_booking" USING btree ("hold_expires_at") WHERE "surgery_booking"."status" = 'held';--> statement-breakpoint
CREATE INDEX "surgery_journey_updated_idx" ON "surgery_journey" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "surgery_note_booking_idx" ON "surgery_note" USING btree ("booking_id","created_at");--> statement-breakpoint
CREATE INDEX "surgery_slot_start_idx" ON "surgery_slot" USING btree ("surgery_id","starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "surgery_waitlist_person_uq" ON "surgery_waitlist" USING btree ("surgery_id",lower("email")) WHERE "surgery_waitlist"."status" in ('waiting', 'offered');--> statement-breakpoint
CREATE UNIQUE INDEX "surgery_waitlist_token_uq" ON "surgery_waitlist" USING btree ("offer_token_hash");--> statement-breakpoint
CREATE INDEX "surgery_waitlist_queue_idx" ON "surgery_waitlist" USING btree ("surgery_id","joined_at","id") WHERE "surgery_waitlist"."status" = 'waiting';