import { Migration } from '@mikro-orm/migrations';

/** Hosted sign-in: users, one-time email codes, link tokens (reset, verification) and per-app sign-in settings. */
export class Migration20261129010000Identity extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "users" (
      "id" uuid primary key,
      "email" text not null,
      "email_normalized" text not null unique,
      "email_verified" boolean not null default false,
      "password_hash" text null,
      "name" text null,
      "given_name" text null,
      "family_name" text null,
      "picture" text null,
      "locale" text null,
      "status" text not null default 'active' check ("status" in ('active', 'disabled')),
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      "last_sign_in_at" timestamptz null,
      "password_changed_at" timestamptz null
    )`);
    // A code is bound to the sign-in in progress (the interaction) and dies after a few wrong tries.
    this.addSql(`create table "email_codes" (
      "id" uuid primary key,
      "user_id" uuid not null references "users" ("id") on delete cascade,
      "interaction_uid" text not null,
      "purpose" text not null check ("purpose" in ('sign_in', 'verify_email')),
      "code_hash" text not null,
      "attempts" integer not null default 0,
      "expires_at" timestamptz not null,
      "consumed_at" timestamptz null,
      "created_at" timestamptz not null
    )`);
    this.addSql(`create index "email_codes_interaction_idx" on "email_codes" ("interaction_uid", "purpose")`);
    // Single-use links sent by email: password reset and email verification.
    this.addSql(`create table "user_tokens" (
      "id" uuid primary key,
      "user_id" uuid not null references "users" ("id") on delete cascade,
      "kind" text not null check ("kind" in ('password_reset', 'verify_email')),
      "token_hash" text not null unique,
      "expires_at" timestamptz not null,
      "consumed_at" timestamptz null,
      "created_at" timestamptz not null
    )`);
    this.addSql(`create index "user_tokens_user_idx" on "user_tokens" ("user_id", "kind")`);
    this.addSql(`alter table "apps"
      add column "allow_registration" boolean not null default false,
      add column "require_verified_email" boolean not null default false,
      add column "sign_in_methods" jsonb not null default '["password", "email_code"]',
      add column "logo_uri" text null`);
    // Lets "sign this user out everywhere" (reset, disable) be one indexed statement.
    this.addSql(`alter table "oidc_payloads" add column "account_id" text null`);
    this.addSql(
      `create index "oidc_payloads_account_id_idx" on "oidc_payloads" ("account_id") where "account_id" is not null`,
    );
  }
}
