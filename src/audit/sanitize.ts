import {
  AUDIT_ACTIONS,
  AUDIT_ACTOR_TYPES,
  AUDIT_OUTCOMES,
  type AuditActorType,
  type AuditEvent,
  UUID_PATTERN,
} from './audit-event.ts';

/** Lengths in UTF-16 code units; a cut string ends in `…` so a reader knows it was cut. */
export const AUDIT_LIMITS = {
  userAgent: 512,
  reason: 200,
  field: 256,
  detailValue: 1000,
  detailKey: 100,
  /** Objects and arrays nested deeper than this become `[truncated]`. */
  detailDepth: 5,
  /** Entries kept per object or array. */
  detailEntries: 50,
  /** Values visited per event, so shared references cannot multiply the work. */
  detailNodes: 200,
  /** Serialized size past which the details are replaced by `{ truncated: true }`. */
  detailChars: 8_192,
} as const;

/** An event fit to store and to show: every field is clean and `details` is plain, bounded JSON. */
export type SanitizedAuditEvent = AuditEvent & { details: Record<string, unknown> };

// C0, DEL and C1 controls, plus the Unicode line separators and bidi overrides: any of them lets a
// value forge a line, or reorder text, wherever the trail is shown (log viewer, admin UI, CSV).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// A lone surrogate cannot be encoded as UTF-8; PostgreSQL would reject the whole batch over it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Credentials that land in a value rather than under a telling key: JWTs (ID token hints, JWT
// access tokens, client assertions) and bearer headers (16+ characters after "Bearer", so that
// prose such as "bearer token missing" survives).
const CREDENTIAL_VALUES = [/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, /\b[Bb]earer\s+[\w~+/.=-]{16,}/g];

/**
 * Detail keys that name a credential. A key is compared by its letters only, lowercased, so
 * `client_secret`, `clientSecret` and `Client-Secret` are all `clientsecret`; it is dropped when it
 * ends with one of these. Matching the end (not "contains") keeps descriptive keys such as
 * `token_endpoint_auth_method`, `code_challenge_method` or `password_changed`; `client_id`, `kid`,
 * `scope` and `reason` end with none of them. Over-matching (`status_code`, `public_key`) is the
 * intended failure mode: a lost detail is better than a leaked secret.
 */
const SECRET_KEY_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'code',
  'otp',
  'cookie',
  'authorization',
  'key',
  'keys',
  'verifier',
  'assertion',
  'credential',
  'credentials',
  'hash',
  'sessionid',
];
/** oidc-provider's opaque tokens are their own `jti`, so a `jti` can be a bearer token. */
const SECRET_KEYS = new Set(['jti']);

export function isSecretKey(key: string): boolean {
  const name = key.toLowerCase().replace(/[^a-z]/g, '');
  return SECRET_KEYS.has(name) || SECRET_KEY_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

/** One line of safe text: no control characters, no credential-shaped values, at most `max` long. */
export function sanitizeText(value: string, max: number): string {
  let text = value.replace(UNSAFE_CHARS, ' ');
  for (const pattern of CREDENTIAL_VALUES) text = text.replace(pattern, '[redacted]');
  text = text.replace(LONE_SURROGATE, '\ufffd');
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half.
  const cut = text.slice(0, max - 1).replace(/[\ud800-\udbff]$/, '');
  return `${cut}…`;
}

function field(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = sanitizeText(String(value), max);
  return text === '' ? undefined : text;
}

const isOneOf = <T extends string>(allowed: readonly T[], value: unknown): value is T =>
  (allowed as readonly unknown[]).includes(value);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

interface Walk {
  nodes: number;
  /** Objects on the current path, to cut cycles. */
  path: WeakSet<object>;
}

function cleanValue(value: unknown, depth: number, walk: Walk): unknown {
  if (walk.nodes-- <= 0) return '[truncated]';
  switch (typeof value) {
    case 'string':
      return sanitizeText(value, AUDIT_LIMITS.detailValue);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value === null) return null;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (depth > AUDIT_LIMITS.detailDepth) return '[truncated]';
      if (walk.path.has(value)) return '[circular]';
      walk.path.add(value);
      const cleaned = Array.isArray(value)
        ? value.slice(0, AUDIT_LIMITS.detailEntries).map((item) => cleanValue(item, depth + 1, walk) ?? null)
        : cleanObject(value as Record<string, unknown>, depth, walk);
      walk.path.delete(value);
      return cleaned;
    }
    default:
      // Functions, symbols and undefined are not data.
      return undefined;
  }
}

function cleanObject(value: Record<string, unknown>, depth: number, walk: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let kept = 0;
  for (const [key, item] of Object.entries(value)) {
    if (kept >= AUDIT_LIMITS.detailEntries) break;
    if (isSecretKey(key)) continue;
    const cleaned = cleanValue(item, depth + 1, walk);
    if (cleaned === undefined) continue;
    // defineProperty, because assigning a key named `__proto__` would set the prototype instead.
    Object.defineProperty(out, sanitizeText(key, AUDIT_LIMITS.detailKey), {
      value: cleaned,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    kept++;
  }
  return out;
}

/** Plain, bounded JSON without credential-named keys at any depth; anything but an object gives `{}`. */
export function sanitizeDetails(details: unknown): Record<string, unknown> {
  if (!isRecord(details)) return {};
  const cleaned = cleanObject(details, 1, { nodes: AUDIT_LIMITS.detailNodes, path: new WeakSet() });
  // Bounded, because thousands of events may sit in memory while the database is away.
  return JSON.stringify(cleaned).length > AUDIT_LIMITS.detailChars ? { truncated: true } : cleaned;
}

/**
 * Makes an event safe to store and to show. Optional fields that are malformed are dropped (a
 * `userId` that is not a uuid, an unknown `actorType`); an event whose `action` or `outcome` is
 * not one we know cannot be stored at all and gives `undefined`.
 */
export function sanitizeAuditEvent(event: AuditEvent): SanitizedAuditEvent | undefined {
  if (!isRecord(event)) return undefined;
  if (!isOneOf(AUDIT_ACTIONS, event.action) || !isOneOf(AUDIT_OUTCOMES, event.outcome)) return undefined;
  const userId = field(event.userId, AUDIT_LIMITS.field)?.toLowerCase();
  const optional: Omit<AuditEvent, 'action' | 'outcome'> = {
    reason: field(event.reason, AUDIT_LIMITS.reason),
    actorType: isOneOf<AuditActorType>(AUDIT_ACTOR_TYPES, event.actorType) ? event.actorType : undefined,
    actorId: field(event.actorId, AUDIT_LIMITS.field),
    userId: userId && UUID_PATTERN.test(userId) ? userId : undefined,
    appId: field(event.appId, AUDIT_LIMITS.field),
    ip: field(event.ip, AUDIT_LIMITS.field),
    userAgent: field(event.userAgent, AUDIT_LIMITS.userAgent),
    requestId: field(event.requestId, AUDIT_LIMITS.field),
  };
  const present = Object.entries(optional).filter(([, value]) => value !== undefined);
  return {
    action: event.action,
    outcome: event.outcome,
    ...Object.fromEntries(present),
    details: sanitizeDetails(event.details),
  };
}
