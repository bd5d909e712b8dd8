/**
 * JSON schemas of the API's parameters, queries and bodies (fastify validates them with ajv
 * before a handler runs). The patterns repeat those of src/runs/ids.ts so a bad id or artifact
 * name is a 400 before it can come near a path; the handlers still call the store's checks.
 */
export const RUN_ID_PATTERN = '^[A-Za-z0-9_-]{1,128}$';
export const ARTIFACT_NAME_PATTERN = '^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$';

export const runParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: RUN_ID_PATTERN } },
} as const;

export const artifactParams = {
  type: 'object',
  required: ['id', 'name'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: RUN_ID_PATTERN },
    name: { type: 'string', pattern: ARTIFACT_NAME_PATTERN },
  },
} as const;

/** Every query may carry the access token; it is checked before validation and ignored here. */
const token = { type: 'string', maxLength: 256 } as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$' },
    status: { type: 'string', enum: ['running', 'finished', 'failed'] },
    tag: { type: 'string', minLength: 1, maxLength: 100 },
    /** substring of the id, kind, tags or config text */
    q: { type: 'string', minLength: 1, maxLength: 100 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    token,
  },
} as const;

export const metricsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, token },
} as const;

export const artifactQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** bytes as stored (download) instead of parsed JSON */
    raw: { type: 'boolean', default: false },
    token,
  },
} as const;

export const tokenOnlyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { token },
} as const;

const runList = {
  type: 'string',
  minLength: 1,
  maxLength: 2000,
  pattern: '^[A-Za-z0-9_,-]+$',
} as const;

export const runsQuery = {
  type: 'object',
  required: ['runs'],
  additionalProperties: false,
  properties: { runs: runList, title: { type: 'string', maxLength: 200 }, token },
} as const;

export const reportBody = {
  type: 'object',
  required: ['runs'],
  additionalProperties: false,
  properties: {
    runs: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: { type: 'string', pattern: RUN_ID_PATTERN },
    },
    title: { type: 'string', maxLength: 200 },
  },
} as const;

/** 'a,b,c' → ['a', 'b', 'c'] without empty entries or repeats. */
export function splitRunList(text: string): string[] {
  return [...new Set(text.split(',').filter((s) => s.length > 0))];
}
