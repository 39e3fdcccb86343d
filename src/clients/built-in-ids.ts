/** The admin API's audience: a URN, so it does not change when the issuer does. */
export const ADMIN_API = 'urn:gatehouse:admin';
export const ADMIN_SCOPE = 'admin';
export const ADMIN_ROLE = 'admin';
/** A fixed, public client_id: the admin app is a public (PKCE) client that every install has. */
export const ADMIN_CLIENT_ID = 'gatehouse-admin';
