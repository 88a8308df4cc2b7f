-- reverse: create index "apitoken_organization_id_name_key" to table: "api_tokens"
DROP INDEX "apitoken_organization_id_name_key";
-- reverse: create index "apitoken_organization_id" to table: "api_tokens"
DROP INDEX "apitoken_organization_id";
-- reverse: create index "api_tokens_token_hash_key" to table: "api_tokens"
DROP INDEX "api_tokens_token_hash_key";
-- reverse: create "api_tokens" table
DROP TABLE "api_tokens";
