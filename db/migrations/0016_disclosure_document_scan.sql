ALTER TABLE "disclosure_documents" ADD COLUMN "scan_status" text DEFAULT 'not_scanned' NOT NULL;--> statement-breakpoint
ALTER TABLE "disclosure_documents" ADD COLUMN "scanned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "disclosure_documents" ADD COLUMN "scan_signature" text;--> statement-breakpoint
CREATE INDEX "case_attachments_scan_pending_idx" ON "case_attachments" USING btree ("uploaded_at") WHERE "case_attachments"."scan_status" = 'pending';--> statement-breakpoint
CREATE INDEX "disclosure_documents_scan_pending_idx" ON "disclosure_documents" USING btree ("uploaded_at") WHERE "disclosure_documents"."scan_status" = 'pending';