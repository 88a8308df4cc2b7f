-- reverse: create index "helmrepository_organization_id_name_key" to table: "helm_repositories"
DROP INDEX "helmrepository_organization_id_name_key";
-- reverse: create index "helmrepository_organization_id" to table: "helm_repositories"
DROP INDEX "helmrepository_organization_id";
-- reverse: create "helm_repositories" table
DROP TABLE "helm_repositories";
-- reverse: create index "gittoken_organization_id_name_key" to table: "git_tokens"
DROP INDEX "gittoken_organization_id_name_key";
-- reverse: create index "gittoken_organization_id" to table: "git_tokens"
DROP INDEX "gittoken_organization_id";
-- reverse: create "git_tokens" table
DROP TABLE "git_tokens";
-- reverse: create index "containerregistry_organization_id_name_key" to table: "container_registries"
DROP INDEX "containerregistry_organization_id_name_key";
-- reverse: create index "containerregistry_organization_id" to table: "container_registries"
DROP INDEX "containerregistry_organization_id";
-- reverse: create "container_registries" table
DROP TABLE "container_registries";
