-- create "clusters" table
CREATE TABLE "clusters" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "name_key" character varying NOT NULL, "description" character varying NOT NULL DEFAULT '', "cloud_provider" character varying NOT NULL, "region" character varying NOT NULL, "kubernetes_mode" character varying NOT NULL DEFAULT 'MANAGED', "production" boolean NOT NULL DEFAULT false, "organization_id" character varying NOT NULL, PRIMARY KEY ("id"));
-- create index "cluster_organization_id" to table: "clusters"
CREATE INDEX "cluster_organization_id" ON "clusters" ("organization_id");
-- create index "cluster_organization_id_name_key" to table: "clusters"
CREATE UNIQUE INDEX "cluster_organization_id_name_key" ON "clusters" ("organization_id", "name_key");
-- create "invitations" table
CREATE TABLE "invitations" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "email" character varying NOT NULL, "token_hash" character varying NOT NULL, "status" character varying NOT NULL DEFAULT 'PENDING', "expires_at" timestamptz NOT NULL, "accepted_at" timestamptz NULL, "role_id" character varying NOT NULL, "inviter_id" character varying NOT NULL, "organization_id" character varying NOT NULL, PRIMARY KEY ("id"));
-- create index "invitation_organization_id" to table: "invitations"
CREATE INDEX "invitation_organization_id" ON "invitations" ("organization_id");
-- create index "invitation_organization_id_email" to table: "invitations"
CREATE UNIQUE INDEX "invitation_organization_id_email" ON "invitations" ("organization_id", "email") WHERE ((status)::text = 'PENDING'::text);
-- create index "invitations_token_hash_key" to table: "invitations"
CREATE UNIQUE INDEX "invitations_token_hash_key" ON "invitations" ("token_hash");
-- create "memberships" table
CREATE TABLE "memberships" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "last_activity_at" timestamptz NULL, "user_id" character varying NOT NULL, "role_id" character varying NOT NULL, "organization_id" character varying NOT NULL, PRIMARY KEY ("id"));
-- create index "membership_organization_id" to table: "memberships"
CREATE INDEX "membership_organization_id" ON "memberships" ("organization_id");
-- create index "membership_organization_id_user_id" to table: "memberships"
CREATE UNIQUE INDEX "membership_organization_id_user_id" ON "memberships" ("organization_id", "user_id");
-- create index "membership_user_id" to table: "memberships"
CREATE INDEX "membership_user_id" ON "memberships" ("user_id");
-- create "organizations" table
CREATE TABLE "organizations" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "name_key" character varying NOT NULL, "description" character varying NOT NULL DEFAULT '', "website_url" character varying NOT NULL DEFAULT '', "admin_contact_emails" jsonb NOT NULL, "logo_url" character varying NOT NULL DEFAULT '', "plan" character varying NOT NULL DEFAULT 'FREE', "owner_id" character varying NOT NULL, PRIMARY KEY ("id"));
-- create index "organizations_name_key_key" to table: "organizations"
CREATE UNIQUE INDEX "organizations_name_key_key" ON "organizations" ("name_key");
-- create "organization_events" table
CREATE TABLE "organization_events" ("id" character varying NOT NULL, "organization_id" character varying NOT NULL, "type" character varying NOT NULL, "target_type" character varying NOT NULL, "target_id" character varying NOT NULL, "target_name" character varying NOT NULL DEFAULT '', "change" jsonb NULL, "actor_type" character varying NOT NULL, "actor_id" character varying NOT NULL DEFAULT '', "actor_name" character varying NOT NULL DEFAULT '', "origin" character varying NOT NULL DEFAULT '', "user_agent" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- create index "organizationevent_organization_id" to table: "organization_events"
CREATE INDEX "organizationevent_organization_id" ON "organization_events" ("organization_id");
-- create index "organizationevent_organization_id_created_at" to table: "organization_events"
CREATE INDEX "organizationevent_organization_id_created_at" ON "organization_events" ("organization_id", "created_at");
-- create "projects" table
CREATE TABLE "projects" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "name_key" character varying NOT NULL, "description" character varying NOT NULL DEFAULT '', "organization_id" character varying NOT NULL, PRIMARY KEY ("id"));
-- create index "project_organization_id" to table: "projects"
CREATE INDEX "project_organization_id" ON "projects" ("organization_id");
-- create index "project_organization_id_name_key" to table: "projects"
CREATE UNIQUE INDEX "project_organization_id_name_key" ON "projects" ("organization_id", "name_key");
-- create "roles" table
CREATE TABLE "roles" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "name_key" character varying NOT NULL, "kind" character varying NOT NULL, "description" character varying NOT NULL DEFAULT '', "organization_id" character varying NOT NULL, PRIMARY KEY ("id"));
-- create index "role_organization_id" to table: "roles"
CREATE INDEX "role_organization_id" ON "roles" ("organization_id");
-- create index "role_organization_id_name_key" to table: "roles"
CREATE UNIQUE INDEX "role_organization_id_name_key" ON "roles" ("organization_id", "name_key");
-- create "role_cluster_permissions" table
CREATE TABLE "role_cluster_permissions" ("id" character varying NOT NULL, "permission" character varying NOT NULL DEFAULT 'VIEWER', "cluster_id" character varying NOT NULL, "organization_id" character varying NOT NULL, "role_id" character varying NOT NULL, PRIMARY KEY ("id"));
-- create index "roleclusterpermission_organization_id" to table: "role_cluster_permissions"
CREATE INDEX "roleclusterpermission_organization_id" ON "role_cluster_permissions" ("organization_id");
-- create index "roleclusterpermission_role_id_cluster_id" to table: "role_cluster_permissions"
CREATE UNIQUE INDEX "roleclusterpermission_role_id_cluster_id" ON "role_cluster_permissions" ("role_id", "cluster_id");
-- create "role_project_permissions" table
CREATE TABLE "role_project_permissions" ("id" character varying NOT NULL, "full_access" boolean NOT NULL DEFAULT false, "development" character varying NOT NULL DEFAULT 'NO_ACCESS', "preview" character varying NOT NULL DEFAULT 'NO_ACCESS', "staging" character varying NOT NULL DEFAULT 'NO_ACCESS', "production" character varying NOT NULL DEFAULT 'NO_ACCESS', "organization_id" character varying NOT NULL, "project_id" character varying NOT NULL, "role_id" character varying NOT NULL, PRIMARY KEY ("id"));
-- create index "roleprojectpermission_organization_id" to table: "role_project_permissions"
CREATE INDEX "roleprojectpermission_organization_id" ON "role_project_permissions" ("organization_id");
-- create index "roleprojectpermission_role_id_project_id" to table: "role_project_permissions"
CREATE UNIQUE INDEX "roleprojectpermission_role_id_project_id" ON "role_project_permissions" ("role_id", "project_id");
-- create "sessions" table
CREATE TABLE "sessions" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "token_hash" character varying NOT NULL, "expires_at" timestamptz NULL, "revoked_at" timestamptz NULL, "last_used_at" timestamptz NULL, "user_id" character varying NOT NULL, PRIMARY KEY ("id"));
-- create index "sessions_token_hash_key" to table: "sessions"
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions" ("token_hash");
-- create "users" table
CREATE TABLE "users" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "provider" character varying NOT NULL, "provider_user_id" character varying NOT NULL, "login" character varying NOT NULL, "name" character varying NOT NULL DEFAULT '', "email" character varying NOT NULL DEFAULT '', "avatar_url" character varying NOT NULL DEFAULT '', "current_organization_id" character varying NULL, PRIMARY KEY ("id"));
-- create index "user_provider_provider_user_id" to table: "users"
CREATE UNIQUE INDEX "user_provider_provider_user_id" ON "users" ("provider", "provider_user_id");
-- modify "clusters" table
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_organizations_clusters" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- modify "invitations" table
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_organizations_invitations" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, ADD CONSTRAINT "invitations_roles_role" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, ADD CONSTRAINT "invitations_users_inviter" FOREIGN KEY ("inviter_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION;
-- modify "memberships" table
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_organizations_members" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, ADD CONSTRAINT "memberships_roles_role" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, ADD CONSTRAINT "memberships_users_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- modify "organizations" table
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_users_owner" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION;
-- modify "projects" table
ALTER TABLE "projects" ADD CONSTRAINT "projects_organizations_projects" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- modify "roles" table
ALTER TABLE "roles" ADD CONSTRAINT "roles_organizations_roles" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- modify "role_cluster_permissions" table
ALTER TABLE "role_cluster_permissions" ADD CONSTRAINT "role_cluster_permissions_clusters_role_permissions" FOREIGN KEY ("cluster_id") REFERENCES "clusters" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, ADD CONSTRAINT "role_cluster_permissions_organizations_role_cluster_permissions" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, ADD CONSTRAINT "role_cluster_permissions_roles_cluster_permissions" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- modify "role_project_permissions" table
ALTER TABLE "role_project_permissions" ADD CONSTRAINT "role_project_permissions_organizations_role_project_permissions" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, ADD CONSTRAINT "role_project_permissions_projects_role_permissions" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, ADD CONSTRAINT "role_project_permissions_roles_project_permissions" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- modify "sessions" table
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_users_sessions" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE;
-- modify "users" table
ALTER TABLE "users" ADD CONSTRAINT "users_organizations_current_organization" FOREIGN KEY ("current_organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE SET NULL;
