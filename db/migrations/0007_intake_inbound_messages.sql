CREATE TABLE "inbound_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"message_key" text NOT NULL,
	"message_id" text,
	"case_id" uuid,
	"threaded_by" text,
	"from_address" text,
	"from_name" text,
	"to_addresses" text,
	"subject" text DEFAULT '' NOT NULL,
	"sent_at" timestamp with time zone,
	"received_at" timestamp with time zone NOT NULL,
	"in_reply_to" text,
	"references" text,
	"automated" boolean DEFAULT false NOT NULL,
	"automated_reason" text,
	"text_body" text DEFAULT '' NOT NULL,
	"raw_headers" text NOT NULL,
	"raw" "bytea" NOT NULL,
	"size" integer NOT NULL,
	"via" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD CONSTRAINT "inbound_messages_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_messages_key_uq" ON "inbound_messages" USING btree ("message_key");--> statement-breakpoint
CREATE INDEX "inbound_messages_case_idx" ON "inbound_messages" USING btree ("case_id","received_at") WHERE "inbound_messages"."case_id" is not null;--> statement-breakpoint
CREATE INDEX "inbound_messages_from_idx" ON "inbound_messages" USING btree (lower("from_address"),"received_at");