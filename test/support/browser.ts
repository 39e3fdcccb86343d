/**
 * A minimal browser for driving the sign-in pages: a cookie jar (host- and path-scoped, like a real
 * browser's), manual redirects, and form submission by id. No JavaScript, like the pages themselves.
 */
export interface Page {
  readonly url: string;
  readonly status: number;
  readonly html: string;
  readonly headers: Headers;
}

interface Cookie {
  name: string;
  value: string;
  path: string;
  /**
   * The hostname that set it: a host-only cookie, sent to that hostname on any port (as browsers do),
   * so an upstream on 127.0.0.2 and Gatehouse on 127.0.0.1 never see each other's `_session`.
   * Absent on cookies a test plants by hand, which go to (and are replaced by) any host.
   */
  host?: string;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export class Browser {
  readonly cookies: Cookie[] = [];
  /** Where redirects stop: the app's callback, which no server answers in tests. */
  stopAt: string[] = [];

  private store(setCookie: string[], url: URL): void {
    // Domain attributes are ignored: tests only talk to IP addresses, where browsers keep a cookie
    // host-only anyway.
    const host = url.hostname;
    for (const line of setCookie) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = val;
        if (key.toLowerCase() === 'expires' && new Date(val).getTime() < Date.now()) expired = true;
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
      }
      const index = this.cookies.findIndex(
        (cookie) =>
          cookie.name === name && cookie.path === path && (cookie.host === undefined || cookie.host === host),
      );
      if (index >= 0) this.cookies.splice(index, 1);
      if (!expired) this.cookies.push({ name, value, path, host });
    }
  }

  cookieHeader(url: URL): string {
    return this.cookies
      .filter((cookie) => cookie.host === undefined || cookie.host === url.hostname)
      .filter(
        (cookie) =>
          url.pathname === cookie.path ||
          url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`) ||
          cookie.path === '/',
      )
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  /** One request, no redirect following. */
  async request(url: string, init: RequestInit = {}): Promise<Page> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(target);
    if (cookie) headers.set('cookie', cookie);
    headers.set('accept', 'text/html');
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.store(response.headers.getSetCookie(), target);
    return {
      url: target.toString(),
      status: response.status,
      html: await response.text(),
      headers: response.headers,
    };
  }

  /** Follows redirects (GET after 302/303, as browsers do) until a page, or a URL in stopAt. */
  async follow(first: Page): Promise<Page> {
    let page = first;
    for (let hops = 0; hops < 20; hops++) {
      const location = page.headers.get('location');
      if (page.status < 300 || page.status >= 400 || !location) return page;
      const next = new URL(location, page.url).toString();
      if (this.stopAt.some((prefix) => next.startsWith(prefix))) {
        return { url: next, status: 0, html: '', headers: new Headers() };
      }
      page = await this.request(next);
    }
    throw new Error('too many redirects');
  }

  async open(url: string): Promise<Page> {
    return this.follow(await this.request(url));
  }

  /** Submits the form with this id, with its hidden fields plus `fields`. */
  async submit(
    page: Page,
    formId: string,
    fields: Record<string, string> = {},
    follow = true,
  ): Promise<Page> {
    const form = new RegExp(`<form[^>]*id="${formId}"[^>]*>([\\s\\S]*?)</form>`).exec(page.html);
    if (!form)
      throw new Error(
        `no form #${formId} on ${page.url} (status ${page.status}):\n${page.html.slice(0, 2000)}`,
      );
    const action = decodeEntities(/action="([^"]*)"/.exec(form[0])?.[1] ?? '');
    const body = new URLSearchParams();
    for (const input of form[1]?.matchAll(/<input[^>]*type="hidden"[^>]*>/g) ?? []) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
      if (name && !(name in fields)) body.set(name, decodeEntities(value));
    }
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    const response = await this.request(new URL(action, page.url).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    return follow ? this.follow(response) : response;
  }
}

/** The text of an element by id, tags stripped and entities decoded. */
export function textOf(page: Page, id: string): string | undefined {
  const match = new RegExp(`<[^>]+id="${id}"[^>]*>([\\s\\S]*?)</`).exec(page.html);
  return match ? decodeEntities(match[1]?.replace(/<[^>]+>/g, '') ?? '').trim() : undefined;
}
