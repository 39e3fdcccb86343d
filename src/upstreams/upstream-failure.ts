/**
 * Why a trip to an upstream did not end in a profile. The sign-in page shows a sentence for each
 * reason; the upstream's own words stay in the log (they are not ours to show, and may be crafted).
 */
export type UpstreamFailureReason =
  /** The user said no, or closed the upstream's consent page. */
  | 'cancelled'
  /** The upstream answered with an error, or something that does not check out (state, nonce, signature). */
  | 'refused'
  /** The upstream could not be reached or answered nonsense. */
  | 'unreachable';

export class UpstreamFailure extends Error {
  readonly reason: UpstreamFailureReason;

  constructor(reason: UpstreamFailureReason, detail: string) {
    super(detail);
    this.name = 'UpstreamFailure';
    this.reason = reason;
  }
}

/** The error an upstream put in the callback, if any (RFC 6749 §4.1.2.1). */
export function callbackError(query: URLSearchParams): UpstreamFailure | undefined {
  const error = query.get('error');
  if (!error) return undefined;
  const detail = `${error}${query.get('error_description') ? `: ${query.get('error_description')}` : ''}`;
  return new UpstreamFailure(error === 'access_denied' ? 'cancelled' : 'refused', detail.slice(0, 300));
}
