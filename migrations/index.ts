import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261129000000Initial } from './Migration20261129000000Initial.ts';
import { Migration20261129010000Identity } from './Migration20261129010000Identity.ts';
import { Migration20261129020000Roles } from './Migration20261129020000Roles.ts';
import { Migration20261129030000AdminSetup } from './Migration20261129030000AdminSetup.ts';
import { Migration20261129040000DecoyCodes } from './Migration20261129040000DecoyCodes.ts';
import { Migration20261129050000BackchannelLogout } from './Migration20261129050000BackchannelLogout.ts';
import { Migration20261129060000Upstreams } from './Migration20261129060000Upstreams.ts';

/**
 * Every migration, in order. Listed explicitly (not discovered from disk) so the same list runs
 * under any loader, and so a migration cannot be skipped by a stray file. Append-only.
 */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261129000000Initial', class: Migration20261129000000Initial },
  { name: 'Migration20261129010000Identity', class: Migration20261129010000Identity },
  { name: 'Migration20261129020000Roles', class: Migration20261129020000Roles },
  { name: 'Migration20261129030000AdminSetup', class: Migration20261129030000AdminSetup },
  { name: 'Migration20261129040000DecoyCodes', class: Migration20261129040000DecoyCodes },
  { name: 'Migration20261129050000BackchannelLogout', class: Migration20261129050000BackchannelLogout },
  { name: 'Migration20261129060000Upstreams', class: Migration20261129060000Upstreams },
];
