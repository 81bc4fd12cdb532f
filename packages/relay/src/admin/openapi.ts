import { AdminErrorStatus } from './errors.js'
import { versionErrorNames, versionPaths, versionSchema } from './openapi-versions.js'

/** Builds the JSON schema of a response with a JSON body. */
const jsonBody = (description: string, schema: object) => ({ description, content: { 'application/json': { schema } } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const error = (description: string) => jsonBody(description, ref('Error'))
const idParameter = { $ref: '#/components/parameters/id' }
const updateBody = (description: string) => ({ description, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } })

/** Responses every route may give. */
const common = {
  401: error('No valid admin token.'),
  503: error('Shutting down, or storage failed; retry.'),
}
/** Responses of the routes that read or write one document. */
const oneDocument = {
  ...common,
  400: error('The id is not a valid document id (`invalidDocId`).'),
}

/** The document routes, by path and method. */
export const documentPaths = {
  '/v1/docs': {
    get: {
      operationId: 'listDocuments',
      summary: 'Lists documents in the UTF-8 byte order of their ids, a page at a time.',
      parameters: [
        { name: 'prefix', in: 'query', schema: { type: 'string' }, description: 'Only ids starting with this.' },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'The `next` of the previous page.' },
      ],
      responses: {
        200: jsonBody('A page of documents.', {
          type: 'object',
          required: ['docs', 'next'],
          properties: { docs: { type: 'array', items: ref('DocumentSummary') }, next: { type: ['string', 'null'] } },
        }),
        400: error('`limit` or `cursor` is malformed (`invalidQuery`).'),
        ...common,
      },
    },
  },
  '/v1/docs/{id}': {
    get: {
      operationId: 'getDocument',
      summary: 'A document\'s size, last commit time and state vector.',
      parameters: [idParameter],
      responses: {
        200: jsonBody('The document.', {
          allOf: [ref('DocumentSummary'), { type: 'object', required: ['stateVector'], properties: { stateVector: { type: 'string', contentEncoding: 'base64' } } }],
        }),
        404: error('Never written (`documentNotFound`).'),
        410: error('Deleted (`documentDeleted`).'),
        ...oneDocument,
      },
    },
    delete: {
      operationId: 'deleteDocument',
      summary: 'Deletes the document: its rows are removed, a tombstone refuses every later write and subscription.',
      parameters: [idParameter],
      responses: { 204: { description: 'Deleted (also when it already was, or was never written).' }, ...oneDocument },
    },
  },
  '/v1/docs/{id}/update': {
    get: {
      operationId: 'getDocumentUpdate',
      summary: 'The committed state as one Yjs update, or only what a state vector lacks.',
      parameters: [idParameter, { name: 'since', in: 'query', schema: { type: 'string', contentEncoding: 'base64' }, description: 'A Yjs state vector.' }],
      responses: {
        200: { description: 'A Yjs update (v1).', content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
        404: error('Never written (`documentNotFound`).'),
        410: error('Deleted (`documentDeleted`).'),
        ...oneDocument,
        400: error('Bad id (`invalidDocId`) or `since` (`invalidQuery`).'),
      },
    },
    post: {
      operationId: 'postDocumentUpdate',
      summary: 'Applies a Yjs update like a client\'s: fanned out to subscribers, answered after the commit.',
      parameters: [idParameter],
      requestBody: { required: true, ...updateBody('A Yjs update (v1).') },
      responses: {
        200: jsonBody('Committed.', { type: 'object', required: ['committed'], properties: { committed: { const: true } } }),
        400: error('Not a valid Yjs update (`invalidUpdate`), or a bad id (`invalidDocId`); nothing was stored.'),
        410: error('Deleted (`documentDeleted`); nothing was stored.'),
        413: error('Larger than the relay\'s `admin.maxBodyBytes` (`payloadTooLarge`).'),
        415: error('Not `application/octet-stream` (`unsupportedMediaType`).'),
        ...common,
      },
    },
  },
  '/v1/docs/{id}/json': {
    get: {
      operationId: 'getDocumentJson',
      summary: 'The root types as JSON: Y.Map → object, Y.Array → array, Y.Text → string, XML → its string form.',
      parameters: [idParameter],
      responses: {
        200: jsonBody('Root name → content (null when a root\'s kind left no trace).', { type: 'object' }),
        404: error('Never written (`documentNotFound`).'),
        410: error('Deleted (`documentDeleted`).'),
        ...oneDocument,
      },
    },
  },
  '/v1/docs/{id}/restore': {
    post: {
      operationId: 'restoreDocument',
      summary: 'Undeletes the document: the tombstone goes and the id starts empty.',
      parameters: [idParameter],
      responses: { 204: { description: 'Restored, empty.' }, 409: error('Not deleted (`notDeleted`).'), ...oneDocument },
    },
  },
}

/** The OpenAPI 3.1 description of the admin API, served at `GET /v1/openapi.json`. */
export const openApiDocument = () => ({
  openapi: '3.1.0',
  info: {
    title: 'Driftless relay admin API',
    version: '1',
    description: 'Documents on the relay. Every route takes `Authorization: Bearer <admin token or admin JWT>`.',
  },
  security: [{ bearer: [] }],
  paths: { ...documentPaths, ...versionPaths, '/v1/openapi.json': { get: { operationId: 'openApi', summary: 'This file.', responses: { 200: jsonBody('OpenAPI 3.1.', { type: 'object' }), ...common } } } },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    parameters: {
      id: {
        name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1 },
        description: 'The document id, URL-encoded as one path segment (`/` as `%2F`).',
      },
    },
    schemas: {
      DocumentSummary: {
        type: 'object',
        required: ['id', 'bytes', 'updatedAt'],
        properties: { id: { type: 'string' }, bytes: { type: 'integer' }, updatedAt: { type: 'string', format: 'date-time' } },
      },
      Version: versionSchema,
      Error: {
        type: 'object',
        required: ['error', 'message'],
        properties: { error: { enum: [...new Set([...Object.keys(AdminErrorStatus), ...versionErrorNames])] }, message: { type: 'string' } },
      },
    },
  },
})
