// OpenAPI 3.1 path items for documentRoutes (documents/routes.ts), merged into the node's document
// (api/openapi.ts). Security comes from the access policy (access/openapi.ts).
import { DOCUMENT_TYPES, MAX_DOCUMENT_BYTES } from '@tradetwin/core/document/document';

const problem = { $ref: '#/components/responses/Problem' };

export const documentSchema = {
  type: 'object',
  required: ['shipmentId', 'type', 'name', 'mediaType', 'sha256', 'size', 'leafIndex', 'addedAt'],
  properties: {
    shipmentId: { type: 'string' },
    type: { enum: [...DOCUMENT_TYPES] },
    name: { type: 'string', description: 'The file name' },
    mediaType: { type: 'string', description: 'RFC 6838 type/subtype, lower case' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the content' },
    size: { type: 'integer', description: 'bytes' },
    leafIndex: { type: 'integer', description: 'Its "document" leaf in the owner\'s log' },
    addedAt: { type: 'integer', description: 'When it was logged, ms' },
    contentMissing: {
      const: true,
      description: 'Present when the node does not hold the content its leaf commits to (lost in a crash, or erased)',
    },
  },
};

const shipmentParam = { name: 'id', in: 'path', required: true, description: 'Shipment id', schema: { type: 'string' } };
export const leafIndexParamSpec = {
  name: 'leafIndex',
  in: 'path',
  required: true,
  description: "The document's leaf index in the owner's log",
  schema: { type: 'integer', minimum: 0 },
};

/** The content of a document, served as a download with its own media type. */
export const documentContentResponse = {
  description:
    'The content, checked against the SHA-256 and size its log leaf commits to, with its media type; Content-Disposition: attachment (with the file name); Repr-Digest: its SHA-256 (RFC 9530)',
  content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
};

export function documentOpenApiPaths(base: string): Record<string, unknown> {
  return {
    [`${base}/shipments/{id}/documents`]: {
      post: {
        operationId: 'addShipmentDocument',
        summary:
          'Add a document to a shipment (logged as a "document" leaf committing to the content: metadata, its SHA-256 and size, a random salt; the content is stored beside the log)',
        description:
          `The body is the content (at most ${MAX_DOCUMENT_BYTES} bytes; larger: 413); its Content-Type is the document's media type (parameters are dropped). ` +
          'Shared with every organisation holding a live grant of the shipment. A refusal (400 naming the field, 404 unknown shipment, 413) logs nothing.',
        parameters: [
          shipmentParam,
          { name: 'type', in: 'query', required: true, description: 'Document type', schema: { enum: [...DOCUMENT_TYPES] } },
          {
            name: 'name',
            in: 'query',
            required: true,
            description: 'File name (1-255 characters, no / or \\, no control characters)',
            schema: { type: 'string' },
          },
        ],
        requestBody: { required: true, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
        responses: {
          '201': { description: 'Logged', content: { 'application/json': { schema: documentSchema } } },
          '400': problem,
          '401': problem,
          '403': problem,
          '404': problem,
          '413': problem,
        },
      },
      get: {
        operationId: 'listShipmentDocuments',
        summary: "A shipment's documents, by leaf index (for whoever may read the shipment)",
        parameters: [shipmentParam],
        responses: {
          '200': {
            description: 'The documents',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { shipmentId: { type: 'string' }, documents: { type: 'array', items: documentSchema } },
                },
              },
            },
          },
          '401': problem,
          '403': problem,
          '404': problem,
        },
      },
    },
    [`${base}/shipments/{id}/documents/{leafIndex}`]: {
      get: {
        operationId: 'getShipmentDocument',
        summary: "A shipment document's content, checked against its log leaf",
        description:
          'A stored content that is not the one the leaf commits to is not served: 500 document_tampered, naming the leaf. ' +
          'A content the node does not hold (contentMissing in the listing): 409 document_content_missing.',
        parameters: [shipmentParam, leafIndexParamSpec],
        responses: {
          '200': documentContentResponse,
          '400': problem,
          '401': problem,
          '403': problem,
          '404': problem,
          '409': problem,
          '500': problem,
        },
      },
    },
  };
}
