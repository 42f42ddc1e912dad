import { readFileSync } from 'node:fs';
import { checkSmsSender } from '../../core/content.js';
import { parseInteger, parseRate, settingVariable, type TransportSetting } from '../../core/transport-module.js';
import { parseServerUrl } from '../../core/transport-url.js';
import { ID_FORMATS, type IdFormat } from './deliver.js';
import { LONG_MESSAGES, type LongMessages } from './encoding.js';

export const BIND_MODES = ['transceiver', 'transmitter-receiver'] as const;

export interface SmppSettings {
  host: string;
  port: number;
  /** ssmpp://: TLS from the first byte. */
  tls: boolean;
  systemId: string;
  password: string;
  /** PEM of the CA to trust instead of the system's; undefined: the system's. */
  tlsCa: string | undefined;
  tlsRejectUnauthorized: boolean;
  bindMode: (typeof BIND_MODES)[number];
  systemType: string;
  /** The sender of an SMS that names none; undefined: the SMSC's default. */
  source: string | undefined;
  /** Binds that send (transceivers or transmitters); as many receivers in transmitter-receiver mode. */
  binds: number;
  /** submit_sm outstanding at once per bind. */
  window: number;
  /** submit_sm per second per bind; undefined: no limit. */
  throughput: number | undefined;
  rate: number | undefined;
  concurrency: number;
  enquireLinkMs: number;
  timeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  throttlePauseMs: number;
  longMessages: LongMessages;
  idFormat: IdFormat;
  /** How long the parts of a long MO message wait for the rest after the first. */
  moPartsTimeoutMs: number;
}

export const SMPP_SETTINGS: Readonly<Record<string, TransportSetting>> = {
  URL: { default: '', doc: 'SMSC: `smpp://system_id:password@host:2775` or `ssmpp://…:3550` (TLS); system_id and password percent-encoded. Required when the SMS channel uses smpp' },
  BIND: { default: 'transceiver', doc: '`transceiver` (one connection sends and receives) or `transmitter-receiver` (a transmitter and a receiver per bind)' },
  SYSTEM_TYPE: { default: '', doc: 'SMPP `system_type` sent at bind, when the SMSC wants one' },
  SOURCE: { default: '', doc: 'Sender (source address) of an SMS that names none, its TON/NPI from its form like any sender; a STOP sent back to it is attributed. Unset: the SMSC\'s default, and a STOP replying to such an SMS is never attributed' },
  BINDS: { default: '1', doc: 'SMPP binds kept open; sends are spread over the bound ones' },
  WINDOW: { default: '10', doc: 'submit_sm awaiting their response at once, per bind' },
  THROUGHPUT: { default: '', doc: 'submit_sm per second per bind (a long message is one per part), as the SMSC contract says; unset = no limit' },
  RATE: { default: '', doc: 'SMS per second the dispatcher lets through to SMPP; unset = RELAIS_SMPP_THROUGHPUT × RELAIS_SMPP_BINDS, or no limit' },
  CONCURRENCY: { default: '', doc: 'SMS in flight at once through SMPP; unset = RELAIS_SMPP_BINDS × RELAIS_SMPP_WINDOW' },
  ENQUIRE_LINK_MS: { default: '30000', doc: 'Milliseconds between enquire_link keep-alives on an idle bind' },
  TIMEOUT_MS: { default: '10000', doc: 'Milliseconds the SMSC has to connect, answer a bind, a submit_sm or an enquire_link before the connection is dropped and made again' },
  RECONNECT_MIN_MS: { default: '1000', doc: 'First delay before reconnecting a lost bind; it doubles, with jitter, per failed attempt' },
  RECONNECT_MAX_MS: { default: '60000', doc: 'Longest delay between reconnection attempts' },
  THROTTLE_PAUSE_MS: { default: '1000', doc: 'First pause of a bind the SMSC throttles (ESME_RTHROTTLED, ESME_RMSGQFUL) before it resubmits; doubles when the SMSC throttles again after a pause, up to 32×, never past RELAIS_SMPP_TIMEOUT_MS' },
  LONG_MESSAGES: { default: 'udh', doc: 'Messages longer than one SMS: `udh` (one submit_sm per part, concatenation header) or `payload` (one submit_sm, `message_payload` TLV)' },
  MO_PARTS_TIMEOUT_MS: { default: '60000', doc: 'Milliseconds the parts of a long message from a handset wait for the rest after the first; then they are dropped and counted (`relais_inbound_total{outcome="incomplete"}`). Also how long the SMSC\'s redelivery of a last part Relais failed to take can still complete its message: keep it above the SMSC\'s retry interval' },
  ID_FORMAT: { default: 'same', doc: 'How the SMSC writes message ids in submit_sm_resp and in receipt texts: `same`, `hex-dec` (hex, then decimal) or `dec-hex`' },
  TLS_CA: { default: '', doc: 'ssmpp://: path of a PEM file of the CA to trust instead of the system\'s' },
  TLS_REJECT_UNAUTHORIZED: { default: 'true', doc: 'ssmpp://: refuse an SMSC whose certificate does not verify; `false` only for tests' },
};

const v = (key: string): string => settingVariable('smpp', key, SMPP_SETTINGS[key]);

function oneOf<T extends string>(key: string, text: string, values: readonly T[]): T {
  if (!values.includes(text as T)) throw new Error(`${v(key)} must be one of ${values.join(', ')} (got "${text}")`);
  return text as T;
}

function endpoint(text: string): Pick<SmppSettings, 'host' | 'port' | 'tls' | 'systemId' | 'password'> {
  const { host, port, tls, user, password } = parseServerUrl({
    variable: v('URL'), transport: 'smpp', schemes: ['smpp', 'ssmpp'], ports: [2775, 3550],
    example: 'smpp://system_id:password@host:2775', form: 'smpp://system_id:password@host[:port]', user: 'system_id', userRequired: true,
  }, text);
  return { host, port, tls, systemId: user, password };
}

function caFile(path: string): string | undefined {
  if (path === '') return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${v('TLS_CA')} names no readable file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function parseSmppSettings(values: Readonly<Record<string, string>>): SmppSettings {
  if (values.SOURCE !== '') checkSmsSender(values.SOURCE, v('SOURCE'));
  const reject = values.TLS_REJECT_UNAUTHORIZED.toLowerCase();
  const binds = parseInteger(v('BINDS'), values.BINDS, 1, 64);
  const window = parseInteger(v('WINDOW'), values.WINDOW, 1, 1000);
  const throughput = parseRate(v('THROUGHPUT'), values.THROUGHPUT);
  const reconnectMinMs = parseInteger(v('RECONNECT_MIN_MS'), values.RECONNECT_MIN_MS, 10, 3_600_000);
  const reconnectMaxMs = parseInteger(v('RECONNECT_MAX_MS'), values.RECONNECT_MAX_MS, 10, 3_600_000);
  if (reconnectMaxMs < reconnectMinMs) throw new Error(`${v('RECONNECT_MAX_MS')} must be at least ${v('RECONNECT_MIN_MS')} (${reconnectMinMs})`);
  return {
    ...endpoint(values.URL),
    tlsCa: caFile(values.TLS_CA),
    tlsRejectUnauthorized: oneOf('TLS_REJECT_UNAUTHORIZED', reject, ['true', 'false']) === 'true',
    bindMode: oneOf('BIND', values.BIND, BIND_MODES),
    systemType: values.SYSTEM_TYPE,
    source: values.SOURCE || undefined,
    binds, window, throughput,
    rate: parseRate(v('RATE'), values.RATE) ?? (throughput === undefined ? undefined : throughput * binds),
    concurrency: values.CONCURRENCY === '' ? binds * window : parseInteger(v('CONCURRENCY'), values.CONCURRENCY, 1, 100_000),
    enquireLinkMs: parseInteger(v('ENQUIRE_LINK_MS'), values.ENQUIRE_LINK_MS, 100, 3_600_000),
    timeoutMs: parseInteger(v('TIMEOUT_MS'), values.TIMEOUT_MS, 100, 3_600_000),
    reconnectMinMs, reconnectMaxMs,
    throttlePauseMs: parseInteger(v('THROTTLE_PAUSE_MS'), values.THROTTLE_PAUSE_MS, 1, 600_000),
    longMessages: oneOf('LONG_MESSAGES', values.LONG_MESSAGES, LONG_MESSAGES),
    idFormat: oneOf('ID_FORMAT', values.ID_FORMAT, ID_FORMATS),
    moPartsTimeoutMs: parseInteger(v('MO_PARTS_TIMEOUT_MS'), values.MO_PARTS_TIMEOUT_MS, 100, 3_600_000),
  };
}
