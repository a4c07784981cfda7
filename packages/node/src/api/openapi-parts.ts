// Building blocks the OpenAPI path items of every module share: the one problem
// response, a JSON body, path and query parameters, paging.

export const problem = { $ref: '#/components/responses/Problem' };

export const json = (description: string, schema: Record<string, unknown> = { type: 'object' }) => ({
  description,
  content: { 'application/json': { schema } },
});

export const pathParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});

export const queryParam = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

/** perPage + nextPageToken, described for what is paged. */
export const paging = (what: string) => [
  queryParam('perPage', `${what} per page, 1–1000 (default 30).`, { type: 'integer', minimum: 1 }),
  queryParam('nextPageToken', 'Opaque token from the previous page\'s Link header (rel="next").'),
];
