-- create "annotations_groups" table
CREATE TABLE "annotations_groups" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "name_key" character varying NOT NULL, "annotations" jsonb NOT NULL, "scopes" jsonb NOT NULL, "creator_id" character varying NULL, "organization_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "annotations_groups_organizations_annotations_groups" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "annotations_groups_users_creator" FOREIGN KEY ("creator_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- create index "annotationsgroup_organization_id" to table: "annotations_groups"
CREATE INDEX "annotationsgroup_organization_id" ON "annotations_groups" ("organization_id");
-- create index "annotationsgroup_organization_id_name_key" to table: "annotations_groups"
CREATE UNIQUE INDEX "annotationsgroup_organization_id_name_key" ON "annotations_groups" ("organization_id", "name_key");
-- create "labels_groups" table
CREATE TABLE "labels_groups" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "name_key" character varying NOT NULL, "labels" jsonb NOT NULL, "creator_id" character varying NULL, "organization_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "labels_groups_organizations_labels_groups" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "labels_groups_users_creator" FOREIGN KEY ("creator_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- create index "labelsgroup_organization_id" to table: "labels_groups"
CREATE INDEX "labelsgroup_organization_id" ON "labels_groups" ("organization_id");
-- create index "labelsgroup_organization_id_name_key" to table: "labels_groups"
CREATE UNIQUE INDEX "labelsgroup_organization_id_name_key" ON "labels_groups" ("organization_id", "name_key");
-- create "cluster_labels_groups" table
CREATE TABLE "cluster_labels_groups" ("cluster_id" character varying NOT NULL, "labels_group_id" character varying NOT NULL, PRIMARY KEY ("cluster_id", "labels_group_id"), CONSTRAINT "cluster_labels_groups_cluster_id" FOREIGN KEY ("cluster_id") REFERENCES "clusters" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "cluster_labels_groups_labels_group_id" FOREIGN KEY ("labels_group_id") REFERENCES "labels_groups" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
