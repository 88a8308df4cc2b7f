-- reverse: create "event_sequences" table
DROP TABLE "event_sequences";
-- reverse: create index "organizationevent_sequence" to table: "organization_events"
DROP INDEX "organizationevent_sequence";
-- reverse: create index "organizationevent_organization_id_sequence" to table: "organization_events"
DROP INDEX "organizationevent_organization_id_sequence";
-- reverse: modify "organization_events" table
ALTER TABLE "organization_events" DROP COLUMN "sequence";
