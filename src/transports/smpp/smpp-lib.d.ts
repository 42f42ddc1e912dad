// The part of the `smpp` package (0.5.1, CommonJS, no types of its own) Relais uses. Its exports
// are assigned in loops, which Node's CommonJS lexer cannot see: only the default import works.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  /** A PDU: its header, and its parameters and TLVs by their names in the SMPP specification. */
  interface Pdu {
    command: string;
    command_status: number;
    sequence_number: number;
    [param: string]: unknown;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): Pdu;
  }

  interface Session extends EventEmitter {
    socket: Socket;
    server?: unknown;
    /** false when the socket is not writable (the PDU is not sent). */
    send(pdu: Pdu, onResponse?: (pdu: Pdu) => void, onSent?: (pdu: Pdu) => void): boolean;
    close(callback?: () => void): void;
    /** Stops (and resume starts again) reading PDUs from the socket, at once: the PDU being handled is the last. */
    pause(): void;
    resume(): void;
    destroy(callback?: () => void): void;
  }

  interface Encoding {
    encode(text: string): Buffer;
    decode(bytes: Buffer): string;
  }

  interface SmppServer extends NetServer {
    sessions: Session[];
  }

  const smpp: {
    PDU: (new (command: string, options?: Record<string, unknown>) => Pdu) & { maxLength: number };
    connect(options: Record<string, unknown>): Session;
    createServer(options: Record<string, unknown>, listener?: (session: Session) => void): SmppServer;
    encodings: { ASCII: Encoding; LATIN1: Encoding; UCS2: Encoding };
  };
  export type { Pdu, Session, SmppServer };
  export default smpp;
}
