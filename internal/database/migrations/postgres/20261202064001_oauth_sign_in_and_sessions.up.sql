-- modify "sessions" table
ALTER TABLE "sessions" ADD COLUMN "user_agent" character varying NOT NULL DEFAULT '', ADD COLUMN "origin" character varying NOT NULL DEFAULT '';
-- create index "session_user_id" to table: "sessions"
CREATE INDEX "session_user_id" ON "sessions" ("user_id");
-- create "oauth_states" table
CREATE TABLE "oauth_states" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "state_hash" character varying NOT NULL, "browser_hash" character varying NOT NULL, "provider" character varying NOT NULL, "code_verifier" character varying NOT NULL, "return_to" character varying NOT NULL, "expires_at" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- create index "oauth_states_state_hash_key" to table: "oauth_states"
CREATE UNIQUE INDEX "oauth_states_state_hash_key" ON "oauth_states" ("state_hash");
-- create index "oauthstate_expires_at" to table: "oauth_states"
CREATE INDEX "oauthstate_expires_at" ON "oauth_states" ("expires_at");
