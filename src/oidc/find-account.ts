import type { FindAccount } from 'oidc-provider';

/**
 * Accounts arrive with hosted sign-in; until then no end-user exists, so every lookup is empty and
 * any token naming a user is treated as invalid. Client-credentials tokens name no account.
 */
export const findNoAccount: FindAccount = async () => undefined;
