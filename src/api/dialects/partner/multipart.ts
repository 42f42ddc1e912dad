import type { FastifyRequest } from 'fastify';
import { RelaisError } from '../../../core/errors.js';

/** A file part of a multipart body, read whole (the plugin's limits bound its size). */
export interface UploadedFile {
  field: string;
  filename: string;
  bytes: Buffer;
}

/**
 * A multipart body (Voice Partner's upload), read with the limits @fastify/multipart was
 * registered with in the dialect's scope: its text fields as Partner parameters (a repeated name
 * keeps its first value) and its files. Past a limit the plugin's 413 stands; anything else
 * busboy refuses (no boundary, a body cut short) is a malformed body, never a 500.
 */
export async function readMultipart(request: FastifyRequest): Promise<{ fields: Record<string, unknown>; files: UploadedFile[] }> {
  const fields: Record<string, unknown> = {};
  const files: UploadedFile[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') files.push({ field: part.fieldname, filename: part.filename, bytes: await part.toBuffer() });
      else if (!(part.fieldname in fields)) fields[part.fieldname] = part.value;
    }
  } catch (err) {
    if ((err as { statusCode?: unknown }).statusCode === 413) throw err;
    throw new RelaisError('malformed_body', 'the multipart body is malformed', {}, { cause: err });
  }
  return { fields, files };
}
