/** Small helpers over fetch, the way a relying party or resource server talks to Gatehouse. */
export function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export async function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON: callers that expect HTML read `text`.
  }
  return { status: response.status, body, headers: response.headers, text };
}

export async function clientCredentials(
  base: string,
  clientId: string,
  secret: string,
  form: Record<string, string> = {},
) {
  return postForm(
    `${base}/token`,
    { grant_type: 'client_credentials', ...form },
    { authorization: basic(clientId, secret) },
  );
}
