import { Migration } from '@mikro-orm/migrations';

/** The one-time link that lets the first operator create the first admin. */
export class Migration20261129030000AdminSetup extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "setup_tokens" (
      "id" uuid primary key,
      "token_hash" text not null unique,
      "expires_at" timestamptz not null,
      "consumed_at" timestamptz null,
      "created_at" timestamptz not null
    )`);
  }
}
