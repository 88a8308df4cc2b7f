-- reverse: modify "users" table
ALTER TABLE "users" DROP CONSTRAINT "users_organizations_current_organization";
-- reverse: modify "sessions" table
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_users_sessions";
-- reverse: modify "role_project_permissions" table
ALTER TABLE "role_project_permissions" DROP CONSTRAINT "role_project_permissions_roles_project_permissions", DROP CONSTRAINT "role_project_permissions_projects_role_permissions", DROP CONSTRAINT "role_project_permissions_organizations_role_project_permissions";
-- reverse: modify "role_cluster_permissions" table
ALTER TABLE "role_cluster_permissions" DROP CONSTRAINT "role_cluster_permissions_roles_cluster_permissions", DROP CONSTRAINT "role_cluster_permissions_organizations_role_cluster_permissions", DROP CONSTRAINT "role_cluster_permissions_clusters_role_permissions";
-- reverse: modify "roles" table
ALTER TABLE "roles" DROP CONSTRAINT "roles_organizations_roles";
-- reverse: modify "projects" table
ALTER TABLE "projects" DROP CONSTRAINT "projects_organizations_projects";
-- reverse: modify "organizations" table
ALTER TABLE "organizations" DROP CONSTRAINT "organizations_users_owner";
-- reverse: modify "memberships" table
ALTER TABLE "memberships" DROP CONSTRAINT "memberships_users_user", DROP CONSTRAINT "memberships_roles_role", DROP CONSTRAINT "memberships_organizations_members";
-- reverse: modify "invitations" table
ALTER TABLE "invitations" DROP CONSTRAINT "invitations_users_inviter", DROP CONSTRAINT "invitations_roles_role", DROP CONSTRAINT "invitations_organizations_invitations";
-- reverse: modify "clusters" table
ALTER TABLE "clusters" DROP CONSTRAINT "clusters_organizations_clusters";
-- reverse: create index "user_provider_provider_user_id" to table: "users"
DROP INDEX "user_provider_provider_user_id";
-- reverse: create "users" table
DROP TABLE "users";
-- reverse: create index "sessions_token_hash_key" to table: "sessions"
DROP INDEX "sessions_token_hash_key";
-- reverse: create "sessions" table
DROP TABLE "sessions";
-- reverse: create index "roleprojectpermission_role_id_project_id" to table: "role_project_permissions"
DROP INDEX "roleprojectpermission_role_id_project_id";
-- reverse: create index "roleprojectpermission_organization_id" to table: "role_project_permissions"
DROP INDEX "roleprojectpermission_organization_id";
-- reverse: create "role_project_permissions" table
DROP TABLE "role_project_permissions";
-- reverse: create index "roleclusterpermission_role_id_cluster_id" to table: "role_cluster_permissions"
DROP INDEX "roleclusterpermission_role_id_cluster_id";
-- reverse: create index "roleclusterpermission_organization_id" to table: "role_cluster_permissions"
DROP INDEX "roleclusterpermission_organization_id";
-- reverse: create "role_cluster_permissions" table
DROP TABLE "role_cluster_permissions";
-- reverse: create index "role_organization_id_name_key" to table: "roles"
DROP INDEX "role_organization_id_name_key";
-- reverse: create index "role_organization_id" to table: "roles"
DROP INDEX "role_organization_id";
-- reverse: create "roles" table
DROP TABLE "roles";
-- reverse: create index "project_organization_id_name_key" to table: "projects"
DROP INDEX "project_organization_id_name_key";
-- reverse: create index "project_organization_id" to table: "projects"
DROP INDEX "project_organization_id";
-- reverse: create "projects" table
DROP TABLE "projects";
-- reverse: create index "organizationevent_organization_id_created_at" to table: "organization_events"
DROP INDEX "organizationevent_organization_id_created_at";
-- reverse: create index "organizationevent_organization_id" to table: "organization_events"
DROP INDEX "organizationevent_organization_id";
-- reverse: create "organization_events" table
DROP TABLE "organization_events";
-- reverse: create index "organizations_name_key_key" to table: "organizations"
DROP INDEX "organizations_name_key_key";
-- reverse: create "organizations" table
DROP TABLE "organizations";
-- reverse: create index "membership_user_id" to table: "memberships"
DROP INDEX "membership_user_id";
-- reverse: create index "membership_organization_id_user_id" to table: "memberships"
DROP INDEX "membership_organization_id_user_id";
-- reverse: create index "membership_organization_id" to table: "memberships"
DROP INDEX "membership_organization_id";
-- reverse: create "memberships" table
DROP TABLE "memberships";
-- reverse: create index "invitations_token_hash_key" to table: "invitations"
DROP INDEX "invitations_token_hash_key";
-- reverse: create index "invitation_organization_id_email" to table: "invitations"
DROP INDEX "invitation_organization_id_email";
-- reverse: create index "invitation_organization_id" to table: "invitations"
DROP INDEX "invitation_organization_id";
-- reverse: create "invitations" table
DROP TABLE "invitations";
-- reverse: create index "cluster_organization_id_name_key" to table: "clusters"
DROP INDEX "cluster_organization_id_name_key";
-- reverse: create index "cluster_organization_id" to table: "clusters"
DROP INDEX "cluster_organization_id";
-- reverse: create "clusters" table
DROP TABLE "clusters";
