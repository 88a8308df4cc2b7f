-- create "api_tokens" table
CREATE TABLE "api_tokens" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "name" character varying NOT NULL, "name_key" character varying NOT NULL, "description" character varying NOT NULL DEFAULT '', "token_hash" character varying NOT NULL, "token_hint" character varying NOT NULL, "expires_at" timestamptz NULL, "last_used_at" timestamptz NULL, "creator_id" character varying NULL, "role_id" character varying NOT NULL, "organization_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "api_tokens_organizations_api_tokens" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "api_tokens_roles_role" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "api_tokens_users_creator" FOREIGN KEY ("creator_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- create index "api_tokens_token_hash_key" to table: "api_tokens"
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens" ("token_hash");
-- create index "apitoken_organization_id" to table: "api_tokens"
CREATE INDEX "apitoken_organization_id" ON "api_tokens" ("organization_id");
-- create index "apitoken_organization_id_name_key" to table: "api_tokens"
CREATE UNIQUE INDEX "apitoken_organization_id_name_key" ON "api_tokens" ("organization_id", "name_key");
