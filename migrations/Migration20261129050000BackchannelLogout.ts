import { Migration } from '@mikro-orm/migrations';

/** OpenID Connect Back-Channel Logout: where each app receives logout tokens. */
export class Migration20261129050000BackchannelLogout extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "apps"
      add column "backchannel_logout_uri" text null,
      add column "backchannel_logout_session_required" boolean not null default true`);
  }
}
