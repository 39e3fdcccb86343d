import { Migration } from '@mikro-orm/migrations';

/** Per-app roles and their holders, which app may call which API, and the audit trail. */
export class Migration20261129020000Roles extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "roles" (
      "id" uuid primary key,
      "app_id" uuid not null references "apps" ("id") on delete cascade,
      "name" text not null,
      "description" text null,
      "created_at" timestamptz not null,
      unique ("app_id", "name")
    )`);
    // A role is held by a user or by a service app (client credentials), never both in one row.
    this.addSql(`create table "role_assignments" (
      "id" uuid primary key,
      "role_id" uuid not null references "roles" ("id") on delete cascade,
      "user_id" uuid null references "users" ("id") on delete cascade,
      "service_app_id" uuid null references "apps" ("id") on delete cascade,
      "created_at" timestamptz not null,
      check (("user_id" is null) <> ("service_app_id" is null))
    )`);
    this.addSql(
      `create unique index "role_assignments_user_uq" on "role_assignments" ("role_id", "user_id") where "user_id" is not null`,
    );
    this.addSql(
      `create unique index "role_assignments_service_uq" on "role_assignments" ("role_id", "service_app_id") where "service_app_id" is not null`,
    );
    this.addSql(`create index "role_assignments_user_idx" on "role_assignments" ("user_id")`);
    this.addSql(`create index "role_assignments_service_idx" on "role_assignments" ("service_app_id")`);
    // Which apps may ask for tokens for which APIs, and with which of the API's scopes.
    this.addSql(`create table "app_api_access" (
      "app_id" uuid not null references "apps" ("id") on delete cascade,
      "api_id" uuid not null references "apis" ("id") on delete cascade,
      "scopes" jsonb not null default '[]',
      "created_at" timestamptz not null,
      primary key ("app_id", "api_id")
    )`);
    // An API may be served by a resource app (which then may introspect its tokens) and may issue
    // opaque tokens instead of JWTs, for back-ends that check tokens by introspection.
    this.addSql(`alter table "apis"
      add column "resource_app_id" uuid null references "apps" ("id") on delete set null,
      add column "token_format" text not null default 'jwt' check ("token_format" in ('jwt', 'opaque'))`);
    this.addSql(`alter table "apps" add column "built_in" boolean not null default false`);
    this.addSql(`create table "audit_events" (
      "id" bigserial primary key,
      "occurred_at" timestamptz not null,
      "action" text not null,
      "outcome" text not null check ("outcome" in ('success', 'failure')),
      "reason" text null,
      "actor_type" text null check ("actor_type" in ('user', 'app', 'admin', 'system')),
      "actor_id" text null,
      "user_id" uuid null,
      "app_id" text null,
      "ip" text null,
      "user_agent" text null,
      "request_id" text null,
      "details" jsonb not null default '{}'
    )`);
    this.addSql(`create index "audit_events_time_idx" on "audit_events" ("occurred_at")`);
    this.addSql(`create index "audit_events_user_idx" on "audit_events" ("user_id", "id")`);
    this.addSql(`create index "audit_events_app_idx" on "audit_events" ("app_id", "id")`);
    this.addSql(`create index "audit_events_action_idx" on "audit_events" ("action", "id")`);
    // Append-only: the trail is evidence, so the database itself refuses edits and deletions.
    this.addSql(`create function "audit_events_append_only"() returns trigger language plpgsql as $$
      begin raise exception 'audit_events is append-only'; end $$`);
    this.addSql(`create trigger "audit_events_no_change" before update or delete on "audit_events"
      for each row execute function "audit_events_append_only"()`);
  }
}
