-- Least privilege (security.md §7): the application's connections run as opcc_app (the
-- `role` startup parameter, db/client.ts), migrations as the owner. opcc_app may read and
-- write the application's tables, and only INSERT and SELECT the audit log: no UPDATE,
-- DELETE or TRUNCATE, and, not being the owner, no ALTER TABLE ... DISABLE TRIGGER either.
-- A role belongs to the whole cluster: created once, granted in every database migrated.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'opcc_app') THEN
    CREATE ROLE opcc_app NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
-- The migrating login may act as opcc_app (a superuser may anyway; the creator of the role
-- holds ADMIN on it). Where it may not, the DBA grants it (docs/operations.md).
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'opcc_app', 'MEMBER') THEN
    EXECUTE format('GRANT opcc_app TO %I', current_user);
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'could not grant opcc_app to %: ask the DBA to run GRANT opcc_app TO % (docs/operations.md)', current_user, current_user;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO opcc_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO opcc_app;
--> statement-breakpoint
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO opcc_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_events FROM opcc_app;
--> statement-breakpoint
-- Tables and sequences later migrations create (as this same owner) get the same grants; a
-- table that must be append-only revokes them in its own migration, as above.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO opcc_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO opcc_app;
--> statement-breakpoint
-- /metrics counts this database's connections by state (pg_stat_activity): without this,
-- other sessions' states read as unknown. Optional: skipped where the owner may not grant it.
DO $$
BEGIN
  GRANT pg_read_all_stats TO opcc_app;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'could not grant pg_read_all_stats to opcc_app: /metrics shows other connections as unknown';
END
$$;
