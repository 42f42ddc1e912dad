/** A transport's URL setting (RELAIS_SMTP_URL, RELAIS_SMPP_URL, RELAIS_HTTP_URL…) as its errors name it. */
export interface UrlSetting {
  /** The variable every error names. */
  variable: string;
  /** Its schemes without `:`, the plain one then the TLS one. */
  schemes: readonly [plain: string, tls: string];
  /** What a value that is no URL at all must be: `a URL such as smtp://host:25`. */
  aUrl: string;
  /** Whether the error of a wrong scheme repeats the (masked) value too; the HTTP transport's never did. */
  schemeShown?: boolean;
}

/**
 * The value as an error may repeat it: what stands before its last `@` (a user and password,
 * however malformed) and its query (where an API key may ride) are masked. A `?` or `#` before
 * that `@` may belong to either, so then nothing but the scheme is shown.
 */
export function shownUrl(text: string): string {
  const [scheme = ''] = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text) ?? [];
  const rest = text.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  const query = rest.search(/[?#]/);
  if (query !== -1 && query < at) return `${scheme}***`;
  return `${scheme}${at === -1 ? rest : `***@${rest.slice(at + 1)}`}`.replace(/[?#].*$/s, '?…');
}

/** The value as a URL of one of the setting's schemes; `tls`: the second. */
export function parseUrlSetting(setting: UrlSetting, text: string): { url: URL; tls: boolean } {
  const got = ` (got "${shownUrl(text)}")`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${setting.variable} must be ${setting.aUrl}${got}`);
  }
  const [plain, tls] = setting.schemes;
  if (url.protocol !== `${plain}:` && url.protocol !== `${tls}:`) {
    throw new Error(`${setting.variable} must start with ${plain}:// or ${tls}://${setting.schemeShown ? got : ''}`);
  }
  return { url, tls: url.protocol === `${tls}:` };
}

/** The URL of a server the transport connects to: a host and port, credentials perhaps, nothing after. */
export interface ServerUrlSetting extends Omit<UrlSetting, 'aUrl' | 'schemeShown'> {
  /** The transport, in the error of a missing value. */
  transport: string;
  /** The value's example, in the errors of a missing value and of one that is no URL. */
  example: string;
  /** The form the error of a path, query or missing part shows: `smpp://system_id:password@host[:port]`. */
  form: string;
  /** What the server calls the URL's user, in the error of a badly percent-encoded one. */
  user: string;
  /** Whether the URL must name a user. */
  userRequired: boolean;
  /** The default port of each scheme. */
  ports: readonly [plain: number, tls: number];
}

export interface ServerUrl {
  host: string;
  port: number;
  tls: boolean;
  /** Percent-decoded; '' when the URL names none. */
  user: string;
  password: string;
}

export function parseServerUrl(setting: ServerUrlSetting, text: string): ServerUrl {
  if (text === '') throw new Error(`${setting.variable} is required when a channel's transport is ${setting.transport} (${setting.example})`);
  const { url, tls } = parseUrlSetting({ ...setting, aUrl: `a URL such as ${setting.example}`, schemeShown: true }, text);
  const bad = (why: string) => new Error(`${setting.variable} ${why} (got "${shownUrl(text)}")`);
  if (!url.hostname || (setting.userRequired && !url.username) || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    throw bad(`must be ${setting.form}, nothing after the port`);
  }
  let user: string, password: string;
  try {
    [user, password] = [decodeURIComponent(url.username), decodeURIComponent(url.password)];
  } catch {
    throw bad(`has a ${setting.user} or password that is not percent-encoded correctly`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port ? Number(url.port) : setting.ports[tls ? 1 : 0], tls, user, password };
}
