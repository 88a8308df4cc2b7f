-- reverse: create index "oauthstate_expires_at" to table: "oauth_states"
DROP INDEX "oauthstate_expires_at";
-- reverse: create index "oauth_states_state_hash_key" to table: "oauth_states"
DROP INDEX "oauth_states_state_hash_key";
-- reverse: create "oauth_states" table
DROP TABLE "oauth_states";
-- reverse: create index "session_user_id" to table: "sessions"
DROP INDEX "session_user_id";
-- reverse: modify "sessions" table
ALTER TABLE "sessions" DROP COLUMN "origin", DROP COLUMN "user_agent";
