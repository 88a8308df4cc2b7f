-- reverse: create "cluster_labels_groups" table
DROP TABLE "cluster_labels_groups";
-- reverse: create index "labelsgroup_organization_id_name_key" to table: "labels_groups"
DROP INDEX "labelsgroup_organization_id_name_key";
-- reverse: create index "labelsgroup_organization_id" to table: "labels_groups"
DROP INDEX "labelsgroup_organization_id";
-- reverse: create "labels_groups" table
DROP TABLE "labels_groups";
-- reverse: create index "annotationsgroup_organization_id_name_key" to table: "annotations_groups"
DROP INDEX "annotationsgroup_organization_id_name_key";
-- reverse: create index "annotationsgroup_organization_id" to table: "annotations_groups"
DROP INDEX "annotationsgroup_organization_id";
-- reverse: create "annotations_groups" table
DROP TABLE "annotations_groups";
