-- pgcrypto is a trusted extension (PostgreSQL 13+): the survey invitation and suppression
-- HMACs are computed set-wise in SQL, the same as the app computes them one by one.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
