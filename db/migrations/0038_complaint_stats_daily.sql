CREATE TABLE "complaint_stats_daily" (
	"stream" text NOT NULL,
	"measure" text NOT NULL,
	"day" date NOT NULL,
	"grp" text DEFAULT '' NOT NULL,
	"key" text DEFAULT '' NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL,
	"allegations" bigint DEFAULT 0 NOT NULL,
	"hits" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "complaint_stats_daily_stream_measure_day_grp_key_pk" PRIMARY KEY("stream","measure","day","grp","key")
);
--> statement-breakpoint
CREATE INDEX "complaint_stats_daily_day_idx" ON "complaint_stats_daily" USING btree ("day");--> statement-breakpoint
CREATE INDEX "complaints_received_on_idx" ON "complaints" USING btree ("received_on");--> statement-breakpoint
-- Every read is a range of days of one stream and measure: answered from this index alone.
CREATE INDEX "complaint_stats_daily_read_idx" ON "complaint_stats_daily" USING btree ("stream","measure","day") INCLUDE ("grp","key","n","allegations","hits");
--> statement-breakpoint
-- Re-derives every statistics sum (§5) of the given London days from the complaint tables.
-- The same definitions as the raw queries (test/complaints/stats-rollup.test.ts compares them).
CREATE OR REPLACE FUNCTION complaint_stats_refresh(days date[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF days IS NULL OR cardinality(days) = 0 THEN RETURN; END IF;
  DELETE FROM complaint_stats_daily WHERE day = ANY(days);
  -- Received: by category, sub-category and handling (complaints counted once per key).
  INSERT INTO complaint_stats_daily (stream, measure, day, key, n, allegations)
  SELECT cx.stream, m.measure, cx.received_on, m.key, count(DISTINCT cx.id), count(a.id)
  FROM complaints cx
  LEFT JOIN complaint_allegations a ON a.complaint_id = cx.id
  CROSS JOIN LATERAL (VALUES
    ('category', coalesce(a.category_id::text, '')),
    ('subcategory', coalesce(a.subcategory_id::text, '')),
    ('handling', coalesce(cx.handling, 'undecided'))) AS m(measure, key)
  WHERE cx.received_on = ANY(days)
  GROUP BY 1, 2, 3, 4;
  -- Concluded: by allegation outcome, and finalised by handling.
  INSERT INTO complaint_stats_daily (stream, measure, day, key, n, allegations)
  SELECT cx.stream, 'outcome', cx.concluded_on, coalesce(a.outcome, 'none'), count(DISTINCT cx.id), count(a.id)
  FROM complaints cx LEFT JOIN complaint_allegations a ON a.complaint_id = cx.id
  WHERE cx.concluded_on = ANY(days)
  GROUP BY 1, 2, 3, 4;
  INSERT INTO complaint_stats_daily (stream, measure, day, key, n)
  SELECT cx.stream, 'finalised', cx.concluded_on, coalesce(cx.handling, 'undecided'), count(*)
  FROM complaints cx WHERE cx.concluded_on = ANY(days)
  GROUP BY 1, 2, 3, 4;
  -- Timeliness histograms: working days and calendar days to each milestone.
  INSERT INTO complaint_stats_daily (stream, measure, day, key, n)
  SELECT cx.stream, h.measure, cx.received_on, coalesce(h.v::text, ''), count(*)
  FROM complaints cx
  CROSS JOIN LATERAL (VALUES
    ('recorded_wd', cx.recorded_on, cx.wd_to_record),
    ('recorded_days', cx.recorded_on, cx.recorded_on - cx.received_on),
    ('first_contact_wd', cx.first_contact_on, cx.wd_to_first_contact),
    ('first_contact_days', cx.first_contact_on, cx.first_contact_on - cx.received_on)) AS h(measure, on_date, v)
  WHERE cx.received_on = ANY(days) AND h.on_date IS NOT NULL
  GROUP BY 1, 2, 3, 4;
  INSERT INTO complaint_stats_daily (stream, measure, day, grp, key, n)
  SELECT cx.stream, h.measure, cx.concluded_on, coalesce(cx.handling, 'undecided'), coalesce(h.v::text, ''), count(*)
  FROM complaints cx
  CROSS JOIN LATERAL (VALUES
    ('finalised_wd', cx.wd_to_conclude),
    ('finalised_days', cx.concluded_on - cx.received_on)) AS h(measure, v)
  WHERE cx.concluded_on = ANY(days)
  GROUP BY 1, 2, 3, 4, 5;
  -- Updates, outcome letters and reports sent, and how many by their due date.
  INSERT INTO complaint_stats_daily (stream, measure, day, key, n, hits)
  SELECT cx.stream, 'contact', ct.occurred_on, ct.kind, count(*), count(*) FILTER (WHERE ct.occurred_on <= ct.due_on)
  FROM complaint_contacts ct JOIN complaints cx ON cx.id = ct.complaint_id
  WHERE ct.occurred_on = ANY(days) AND ct.kind IN ('update', 'outcome', 'report') AND ct.due_on IS NOT NULL
  GROUP BY 1, 2, 3, 4;
  -- Review applications (received), as counters.
  INSERT INTO complaint_stats_daily (stream, measure, day, key, n)
  SELECT 'review', 'review', cx.received_on, k.key, sum(k.v)
  FROM complaints cx JOIN complaint_reviews r ON r.complaint_id = cx.id
  CROSS JOIN LATERAL (VALUES
    ('received', 1),
    ('valid', CASE WHEN r.valid THEN 1 ELSE 0 END),
    ('upheld', CASE WHEN r.result = 'upheld' THEN 1 ELSE 0 END),
    ('not_upheld', CASE WHEN r.result = 'not_upheld' THEN 1 ELSE 0 END),
    ('decided', CASE WHEN r.decided_on IS NOT NULL THEN 1 ELSE 0 END),
    ('decided_days', coalesce(r.decided_on - cx.received_on, 0)),
    ('recommendations', CASE WHEN r.recommendations IS NOT NULL THEN 1 ELSE 0 END),
    ('accepted', CASE WHEN r.recommendations_accepted THEN 1 ELSE 0 END),
    ('forwarded', CASE WHEN r.rrb = 'iopc' THEN 1 ELSE 0 END)) AS k(key, v)
  WHERE cx.stream = 'review' AND cx.received_on = ANY(days)
  GROUP BY 1, 2, 3, 4;
  -- IOPC referrals and decisions on complaints about the Chief Constable.
  INSERT INTO complaint_stats_daily (stream, measure, day, key, n)
  SELECT 'cc', 'iopc', t.occurred_on, k.key, sum(k.v)
  FROM complaint_transitions t JOIN complaints cx ON cx.id = t.complaint_id
  CROSS JOIN LATERAL (VALUES
    ('referrals', CASE WHEN t.kind = 'referral' THEN 1 ELSE 0 END),
    ('decisions', CASE WHEN t.kind IN ('iopc_decision')
      OR (t.from_status = 'referred_to_iopc' AND t.to_status <> 'referred_to_iopc') THEN 1 ELSE 0 END)) AS k(key, v)
  WHERE cx.stream = 'cc' AND t.occurred_on = ANY(days)
  GROUP BY 1, 2, 3, 4;
  -- Equality answers of complainants, by received date.
  INSERT INTO complaint_stats_daily (stream, measure, day, grp, key, n)
  SELECT cx.stream, 'equality', cx.received_on, d.dimension, coalesce(d.value, 'not_stated'), count(*)
  FROM complaints cx JOIN complainant_equality e ON e.complaint_id = cx.id
  CROSS JOIN LATERAL (VALUES ('ageBand', e.age_band), ('sex', e.sex), ('ethnicity', e.ethnicity),
    ('disability', e.disability), ('religion', e.religion), ('sexualOrientation', e.sexual_orientation)) AS d(dimension, value)
  WHERE cx.received_on = ANY(days)
  GROUP BY 1, 2, 3, 4, 5;
END $$;
--> statement-breakpoint
-- The days a change touches, per table, from its transition tables; then those days again.
CREATE OR REPLACE FUNCTION complaint_stats_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched date[] := '{}';
  more date[];
BEGIN
  IF TG_TABLE_NAME = 'complaints' THEN
    IF TG_OP <> 'DELETE' THEN
      SELECT array_agg(x) INTO more FROM (SELECT received_on FROM new_rows UNION SELECT concluded_on FROM new_rows) s(x) WHERE x IS NOT NULL;
      touched := touched || coalesce(more, '{}');
    END IF;
    IF TG_OP <> 'INSERT' THEN
      SELECT array_agg(x) INTO more FROM (SELECT received_on FROM old_rows UNION SELECT concluded_on FROM old_rows) s(x) WHERE x IS NOT NULL;
      touched := touched || coalesce(more, '{}');
    END IF;
  ELSIF TG_TABLE_NAME IN ('complaint_contacts', 'complaint_transitions') THEN
    IF TG_OP <> 'DELETE' THEN
      SELECT array_agg(DISTINCT occurred_on) INTO more FROM new_rows;
      touched := touched || coalesce(more, '{}');
    END IF;
    IF TG_OP <> 'INSERT' THEN
      SELECT array_agg(DISTINCT occurred_on) INTO more FROM old_rows;
      touched := touched || coalesce(more, '{}');
    END IF;
  ELSE
    -- Allegations, equality answers, reviews: the days of their complaints.
    IF TG_OP <> 'DELETE' THEN
      SELECT array_agg(x) INTO more FROM (
        SELECT cx.received_on FROM complaints cx WHERE cx.id IN (SELECT complaint_id FROM new_rows)
        UNION SELECT cx.concluded_on FROM complaints cx WHERE cx.id IN (SELECT complaint_id FROM new_rows)) s(x)
      WHERE x IS NOT NULL;
      touched := touched || coalesce(more, '{}');
    END IF;
    IF TG_OP <> 'INSERT' THEN
      SELECT array_agg(x) INTO more FROM (
        SELECT cx.received_on FROM complaints cx WHERE cx.id IN (SELECT complaint_id FROM old_rows)
        UNION SELECT cx.concluded_on FROM complaints cx WHERE cx.id IN (SELECT complaint_id FROM old_rows)) s(x)
      WHERE x IS NOT NULL;
      touched := touched || coalesce(more, '{}');
    END IF;
  END IF;
  PERFORM complaint_stats_refresh(ARRAY(SELECT DISTINCT unnest(touched)));
  RETURN NULL;
END $$;
--> statement-breakpoint
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['complaints', 'complaint_allegations', 'complainant_equality', 'complaint_reviews', 'complaint_contacts', 'complaint_transitions'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_stats_touch()', t || '_stats_ins', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_stats_touch()', t || '_stats_upd', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_stats_touch()', t || '_stats_del', t);
  END LOOP;
END $$;
--> statement-breakpoint
-- The sums of the complaints already held.
SELECT complaint_stats_refresh(ARRAY(
  SELECT received_on FROM complaints UNION SELECT concluded_on FROM complaints WHERE concluded_on IS NOT NULL
  UNION SELECT occurred_on FROM complaint_contacts UNION SELECT occurred_on FROM complaint_transitions));
