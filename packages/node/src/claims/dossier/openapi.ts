// OpenAPI 3.1 path item for dossierRoutes, merged into the node's document
// (api/openapi.ts). Keys are the Hono route paths with ":name" written "{name}".

const problem = { $ref: '#/components/responses/Problem' };
const sha256 = { type: 'string', pattern: '^0x[0-9a-f]{64}$' };

export function dossierOpenApiPaths(prefix: string) {
  return {
    [`${prefix}/shipments/{id}/dossiers`]: {
      post: {
        summary: "Build a signed claim dossier of one of the shipment's policies (its payout) or excursions",
        description:
          'Answers the package itself: a ZIP holding report.pdf (policy terms, the excursion with its first, peak and last readings against the band, the payout worked out from the on-chain terms, the attesting organisations, the transactions, the verification and audit results), readings.csv, claim.json, verification.json, a proof bundle per reading of the excursion (bundles/*.json, as `tradetwin verify` reads them), manifest.json (every file with its SHA-256), signature.json (EIP-191 signature of the manifest hash by the node account) and log-receipt.json (the transparency-log leaf of kind "dossier" recording it, with an inclusion proof to a signed tree head). `tradetwin claim verify-dossier` checks it offline. ' +
          'Needs shipments:read (or shipments:read:{id}); each dossier built is one leaf in the log.',
        parameters: [{ name: 'id', in: 'path', required: true, description: 'shipment id', schema: { type: 'string' } }],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                oneOf: [
                  {
                    type: 'object',
                    required: ['policyId'],
                    properties: {
                      policyId: { type: 'integer', minimum: 0 },
                      cover: {
                        type: 'string',
                        pattern: '^0x[0-9a-fA-F]{40}$',
                        description: 'when policy ids repeat across covers',
                      },
                    },
                    additionalProperties: false,
                  },
                  {
                    type: 'object',
                    required: ['excursionId'],
                    properties: { excursionId: { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } },
                    additionalProperties: false,
                  },
                ],
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'The dossier package',
            headers: {
              'X-TradeTwin-Dossier-Sha256': { description: 'SHA-256 of the package', schema: sha256 },
              'X-TradeTwin-Manifest-Sha256': { description: 'SHA-256 of manifest.json (what is signed)', schema: sha256 },
              'X-TradeTwin-Signer': { description: 'the node account that signed', schema: { type: 'string' } },
              'X-TradeTwin-Log-Index': { description: 'the log leaf recording the signature', schema: { type: 'integer' } },
            },
            content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
          },
          '400': problem,
          '404': problem,
          '409': problem,
        },
      },
    },
  };
}
