import { Migration } from '@mikro-orm/migrations';

/** Upstream sign-in (Google, GitHub, Microsoft, Facebook, any OpenID Connect provider) and linked identities. */
export class Migration20261129060000Upstreams extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "upstream_providers" (
      "id" uuid primary key,
      "slug" text not null unique,
      "kind" text not null check ("kind" in ('google', 'microsoft', 'github', 'facebook', 'oidc')),
      "display_name" text not null,
      "client_id" text not null,
      "client_secret_sealed" text not null,
      "issuer" text null,
      "authorization_url" text null,
      "token_url" text null,
      "api_url" text null,
      "scopes" jsonb not null,
      "auto_link" boolean not null default false,
      "enabled" boolean not null default true,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    )`);
    // Keyed by (provider, upstream subject): an email address alone never identifies anyone.
    this.addSql(`create table "user_identities" (
      "id" uuid primary key,
      "user_id" uuid not null references "users" ("id") on delete cascade,
      "provider_id" uuid not null references "upstream_providers" ("id") on delete cascade,
      "subject" text not null,
      "email" text null,
      "email_verified" boolean not null default false,
      "created_at" timestamptz not null,
      "last_used_at" timestamptz null,
      unique ("provider_id", "subject")
    )`);
    this.addSql(`create index "user_identities_user_idx" on "user_identities" ("user_id")`);
    // One row per trip to an upstream: the state (hashed), nonce and PKCE verifier, bound to the
    // interaction and the provider, consumed once by the callback.
    this.addSql(`create table "upstream_attempts" (
      "state_hash" text primary key,
      "interaction_uid" text not null,
      "provider_id" uuid not null references "upstream_providers" ("id") on delete cascade,
      "secrets" jsonb not null,
      "pending_link" jsonb null,
      "expires_at" timestamptz not null,
      "consumed_at" timestamptz null,
      "linked_at" timestamptz null,
      "created_at" timestamptz not null
    )`);
    this.addSql(
      `create index "upstream_attempts_interaction_idx" on "upstream_attempts" ("interaction_uid")`,
    );
    this.addSql(`alter table "apps" add column "upstreams" jsonb not null default '[]'`);
  }
}
