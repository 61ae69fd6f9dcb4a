CREATE TABLE "complaint_equality_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"until" date NOT NULL,
	"granted_by_id" uuid,
	"granted_at" timestamp with time zone NOT NULL,
	"revoked_by_id" uuid,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "complaint_justified_read_reports" (
	"week_of" date PRIMARY KEY NOT NULL,
	"reads" integer NOT NULL,
	"recipients" integer NOT NULL,
	"sent_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "complaint_equality_grants" ADD CONSTRAINT "complaint_equality_grants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_equality_grants" ADD CONSTRAINT "complaint_equality_grants_granted_by_id_users_id_fk" FOREIGN KEY ("granted_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_equality_grants" ADD CONSTRAINT "complaint_equality_grants_revoked_by_id_users_id_fk" FOREIGN KEY ("revoked_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "complaint_equality_grants_live_uq" ON "complaint_equality_grants" USING btree ("user_id") WHERE "complaint_equality_grants"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "complaint_equality_grants_user_idx" ON "complaint_equality_grants" USING btree ("user_id");