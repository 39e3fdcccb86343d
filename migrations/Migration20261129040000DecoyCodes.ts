import { Migration } from '@mikro-orm/migrations';

/**
 * Unknown and disabled accounts get a decoy code row (never sent, never accepted), so that
 * verifying a code answers the same whether or not the account exists.
 */
export class Migration20261129040000DecoyCodes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "email_codes" alter column "user_id" drop not null`);
  }
}
