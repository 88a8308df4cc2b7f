-- reverse: create "rate_limit_counters" table
DROP TABLE "rate_limit_counters";
