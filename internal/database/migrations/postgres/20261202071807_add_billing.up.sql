-- create "processed_webhook_events" table
CREATE TABLE "processed_webhook_events" ("id" character varying NOT NULL, "type" character varying NOT NULL, "processed_at" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- create "billing_accounts" table
CREATE TABLE "billing_accounts" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "info_set" boolean NOT NULL DEFAULT false, "first_name" character varying NOT NULL DEFAULT '', "last_name" character varying NOT NULL DEFAULT '', "email" character varying NOT NULL DEFAULT '', "address" character varying NOT NULL DEFAULT '', "city" character varying NOT NULL DEFAULT '', "zip" character varying NOT NULL DEFAULT '', "state" character varying NOT NULL DEFAULT '', "country_code" character varying NOT NULL DEFAULT '', "company" character varying NOT NULL DEFAULT '', "vat_number" character varying NOT NULL DEFAULT '', "provider" character varying NOT NULL DEFAULT '', "customer_id" character varying NOT NULL DEFAULT '', "subscription_id" character varying NOT NULL DEFAULT '', "subscription_generation" bigint NOT NULL DEFAULT 0, "period_start" timestamptz NOT NULL, "plan_since" timestamptz NOT NULL, "pending_lines" jsonb NOT NULL, "organization_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "billing_accounts_organizations_billing_account" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- create index "billing_accounts_organization_id_key" to table: "billing_accounts"
CREATE UNIQUE INDEX "billing_accounts_organization_id_key" ON "billing_accounts" ("organization_id");
-- create index "billingaccount_customer_id" to table: "billing_accounts"
CREATE INDEX "billingaccount_customer_id" ON "billing_accounts" ("customer_id");
-- create index "billingaccount_organization_id" to table: "billing_accounts"
CREATE INDEX "billingaccount_organization_id" ON "billing_accounts" ("organization_id");
-- create "credit_cards" table
CREATE TABLE "credit_cards" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "provider_id" character varying NOT NULL, "brand" character varying NOT NULL, "last4" character varying NOT NULL, "expiry_month" bigint NOT NULL, "expiry_year" bigint NOT NULL, "is_default" boolean NOT NULL DEFAULT false, "organization_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "credit_cards_organizations_credit_cards" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- create index "creditcard_organization_id" to table: "credit_cards"
CREATE INDEX "creditcard_organization_id" ON "credit_cards" ("organization_id");
-- create index "creditcard_organization_id_provider_id" to table: "credit_cards"
CREATE UNIQUE INDEX "creditcard_organization_id_provider_id" ON "credit_cards" ("organization_id", "provider_id");
-- create "invoices" table
CREATE TABLE "invoices" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "number" character varying NOT NULL, "status" character varying NOT NULL, "total_cents" bigint NOT NULL, "currency" character varying NOT NULL, "period_start" timestamptz NOT NULL, "period_end" timestamptz NOT NULL, "provider_id" character varying NOT NULL DEFAULT '', "pdf_url" character varying NOT NULL DEFAULT '', "lines" jsonb NOT NULL, "organization_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "invoices_organizations_invoices" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- create index "invoice_organization_id" to table: "invoices"
CREATE INDEX "invoice_organization_id" ON "invoices" ("organization_id");
-- create index "invoice_organization_id_created_at" to table: "invoices"
CREATE INDEX "invoice_organization_id_created_at" ON "invoices" ("organization_id", "created_at");
-- create index "invoice_provider_id" to table: "invoices"
CREATE INDEX "invoice_provider_id" ON "invoices" ("provider_id");
