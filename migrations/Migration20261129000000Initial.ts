import { Migration } from '@mikro-orm/migrations';

/** The provider core: apps and their secrets, APIs, signing keys and oidc-provider's protocol rows. */
export class Migration20261129000000Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "apps" (
      "id" uuid primary key,
      "client_id" text not null unique,
      "name" text not null,
      "type" text not null check ("type" in ('web', 'spa', 'native', 'service', 'resource')),
      "redirect_uris" jsonb not null default '[]',
      "post_logout_redirect_uris" jsonb not null default '[]',
      "cors_origins" jsonb not null default '[]',
      "first_party" boolean not null default false,
      "token_endpoint_auth_method" text not null,
      "disabled_at" timestamptz null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    )`);
    this.addSql(`create table "app_secrets" (
      "id" uuid primary key,
      "app_id" uuid not null references "apps" ("id") on delete cascade,
      "hash" text not null,
      "created_at" timestamptz not null,
      "expires_at" timestamptz null
    )`);
    this.addSql(`create index "app_secrets_app_id_idx" on "app_secrets" ("app_id")`);
    this.addSql(`create table "apis" (
      "id" uuid primary key,
      "identifier" text not null unique,
      "name" text not null,
      "scopes" jsonb not null default '[]',
      "access_token_ttl" integer null,
      "created_at" timestamptz not null
    )`);
    this.addSql(`create table "signing_keys" (
      "kid" text primary key,
      "alg" text not null,
      "state" text not null check ("state" in ('next', 'current', 'previous', 'retired')),
      "public_jwk" jsonb not null,
      "private_jwk" text not null,
      "created_at" timestamptz not null,
      "state_changed_at" timestamptz not null
    )`);
    // One row per oidc-provider model instance. Consumed rows stay until they expire so that a
    // replayed code or refresh token is recognised as reuse (and its grant revoked), not "not found".
    this.addSql(`create table "oidc_payloads" (
      "kind" text not null,
      "id" text not null,
      "payload" jsonb not null,
      "grant_id" text null,
      "uid" text null,
      "user_code" text null,
      "expires_at" timestamptz null,
      "consumed_at" timestamptz null,
      primary key ("kind", "id")
    )`);
    this.addSql(
      `create index "oidc_payloads_grant_id_idx" on "oidc_payloads" ("grant_id") where "grant_id" is not null`,
    );
    this.addSql(`create index "oidc_payloads_uid_idx" on "oidc_payloads" ("uid") where "uid" is not null`);
    this.addSql(
      `create index "oidc_payloads_user_code_idx" on "oidc_payloads" ("user_code") where "user_code" is not null`,
    );
    this.addSql(`create index "oidc_payloads_expires_at_idx" on "oidc_payloads" ("expires_at")`);
  }
}
