-- create "rate_limit_counters" table, unlogged (docs/security.md S4: a crash resets the budgets; no write waits for the WAL)
CREATE UNLOGGED TABLE "rate_limit_counters" ("id" character varying NOT NULL, "window_start" bigint NOT NULL, "points" bigint NOT NULL, PRIMARY KEY ("id"));
