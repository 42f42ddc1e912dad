import type { Multipart, MultipartFile } from '@fastify/multipart';

/** A multipart body as @fastify/multipart attaches it (`attachFieldsToBody: true`): each name, one part or several. */
type MultipartBody = Record<string, Multipart | Multipart[] | undefined>;

const parts = (body: unknown): [string, Multipart[]][] =>
  typeof body === 'object' && body !== null
    ? Object.entries(body as MultipartBody).map(([name, p]): [string, Multipart[]] => [name, p === undefined ? [] : Array.isArray(p) ? p : [p]])
    : [];

/** The text fields of a multipart body as Partner parameters (a repeated name keeps its first value); files are left out. */
export function multipartFields(body: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, list] of parts(body)) {
    const field = list.find((p) => p.type === 'field');
    if (field) fields[name] = field.value;
  }
  return fields;
}

/** The files of a multipart body (the upload plugin's limits bound how many and how large). */
export const multipartFiles = (body: unknown): MultipartFile[] =>
  parts(body).flatMap(([, list]) => list.filter((p): p is MultipartFile => p.type === 'file'));
