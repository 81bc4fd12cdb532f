/** The OpenAPI description of the version routes (`admin/versions.ts`). */
const jsonBody = (description: string, schema: object) => ({ description, content: { 'application/json': { schema } } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const error = (description: string) => jsonBody(description, ref('Error'))
const parameters = [
  { $ref: '#/components/parameters/id' },
  { name: 'v', in: 'path', required: true, schema: { type: 'integer', minimum: 1 }, description: 'The version id.' },
]
const common = {
  400: error('The id is not a valid document id (`invalidDocId`).'),
  401: error('No valid admin token.'),
  410: error('The document is deleted (`documentDeleted`).'),
  503: error('Shutting down, or storage failed (`storageFailure`); retry.'),
}
const notFound = { 404: error('No such version of this document (`versionNotFound`).') }

/** Error names the version routes answer with, besides the admin API's own. */
export const versionErrorNames = ['versionNotFound', 'invalidVersionName', 'restoreFailed', 'storageFailure', 'documentDeleted', 'invalidUpdate'] as const

export const versionSchema = {
  type: 'object',
  required: ['id', 'kind', 'name', 'createdAt', 'createdBy', 'bytes', 'authors'],
  properties: {
    id: { type: 'integer' },
    kind: { enum: ['named', 'automatic', 'beforeRestore'] },
    name: { type: ['string', 'null'] },
    createdAt: { type: 'integer', description: 'Unix milliseconds.' },
    createdBy: { type: 'string', description: 'The `sub` of whoever asked, `admin`, or `relay` for automatic versions.' },
    bytes: { type: 'integer' },
    authors: { type: 'array', items: { type: 'string' }, description: 'Who changed the document since the previous version.' },
  },
}

export const versionPaths = {
  '/v1/docs/{id}/versions': {
    get: {
      operationId: 'listVersions',
      summary: 'The document\'s versions, newest first.',
      parameters: parameters.slice(0, 1),
      responses: { 200: jsonBody('Versions.', { type: 'object', required: ['versions'], properties: { versions: { type: 'array', items: ref('Version') } } }), ...common },
    },
    post: {
      operationId: 'createVersion',
      summary: 'Takes a named version of the document\'s current state.',
      parameters: parameters.slice(0, 1),
      requestBody: { required: true, ...jsonBody('The name.', { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } }) },
      responses: {
        201: jsonBody('Created.', { type: 'object', required: ['version'], properties: { version: ref('Version') } }),
        ...common,
        400: error('No usable name (`invalidVersionName`), a body that is not JSON (`invalidJson`), or a bad id (`invalidDocId`).'),
        413: error('Larger than `admin.maxBodyBytes` (`payloadTooLarge`).'),
        415: error('Not `application/json` (`unsupportedMediaType`).'),
      },
    },
  },
  '/v1/docs/{id}/versions/{v}/update': {
    get: {
      operationId: 'getVersionUpdate',
      summary: 'The version\'s state as one Yjs update.',
      parameters,
      responses: {
        200: { description: 'A Yjs update (v1).', content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
        ...notFound, ...common,
      },
    },
  },
  '/v1/docs/{id}/versions/{v}/json': {
    get: {
      operationId: 'getVersionJson',
      summary: 'The version\'s metadata and its root types as JSON (as `GET /v1/docs/{id}/json`).',
      parameters,
      responses: {
        200: jsonBody('The version.', { type: 'object', required: ['version', 'content'], properties: { version: ref('Version'), content: { type: 'object' } } }),
        ...notFound, ...common,
      },
    },
  },
  '/v1/docs/{id}/versions/{v}/restore': {
    post: {
      operationId: 'restoreVersion',
      summary: 'Restores the version as a forward change (merges with offline edits); takes a `beforeRestore` version first.',
      parameters,
      responses: {
        200: jsonBody('Committed.', { type: 'object', required: ['restored', 'beforeRestore'], properties: { restored: ref('Version'), beforeRestore: ref('Version') } }),
        ...notFound, ...common,
        503: error('The restore failed or timed out (`restoreFailed`, nothing changed), or storage failed; retry.'),
      },
    },
  },
}
