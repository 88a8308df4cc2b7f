-- reverse: create index "invoice_provider_id" to table: "invoices"
DROP INDEX "invoice_provider_id";
-- reverse: create index "invoice_organization_id_created_at" to table: "invoices"
DROP INDEX "invoice_organization_id_created_at";
-- reverse: create index "invoice_organization_id" to table: "invoices"
DROP INDEX "invoice_organization_id";
-- reverse: create "invoices" table
DROP TABLE "invoices";
-- reverse: create index "creditcard_organization_id_provider_id" to table: "credit_cards"
DROP INDEX "creditcard_organization_id_provider_id";
-- reverse: create index "creditcard_organization_id" to table: "credit_cards"
DROP INDEX "creditcard_organization_id";
-- reverse: create "credit_cards" table
DROP TABLE "credit_cards";
-- reverse: create index "billingaccount_organization_id" to table: "billing_accounts"
DROP INDEX "billingaccount_organization_id";
-- reverse: create index "billingaccount_customer_id" to table: "billing_accounts"
DROP INDEX "billingaccount_customer_id";
-- reverse: create index "billing_accounts_organization_id_key" to table: "billing_accounts"
DROP INDEX "billing_accounts_organization_id_key";
-- reverse: create "billing_accounts" table
DROP TABLE "billing_accounts";
-- reverse: create "processed_webhook_events" table
DROP TABLE "processed_webhook_events";
