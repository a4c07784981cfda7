// The one edge mapping: each domain error code answers the same status and problem type on any route,
// through a real Hono app, and what is not a client's doing is a 500 that says nothing of internals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { AccessError } from '../access/errors.js';
import { ChainError } from '../chain/errors.js';
import { CaptureError } from '../epcis/capture-error.js';
import { StoreError } from '../storage/errors.js';
import { TagError } from '../tags/tag.js';
import { httpErrorHandler, STORE_RETRY_AFTER_SECONDS } from './errors.js';
import { HttpProblem, PROBLEM_BASE } from './problem.js';

async function answer(err: Error, path = '/api/v1/thing') {
  const app = new Hono();
  app.onError(httpErrorHandler('test'));
  app.all('*', () => {
    throw err;
  });
  const res = await app.request(path);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('http edge mapping', () => {
  it('a database that cannot be reached is a retryable 503 store_unavailable with Retry-After', async () => {
    const r = await answer(new StoreError('unavailable', 'connection to 127.0.0.1:5432 lost'));
    assert.equal(r.status, 503);
    assert.equal(r.body.type, `${PROBLEM_BASE}store_unavailable`);
    assert.equal(r.headers.get('retry-after'), String(STORE_RETRY_AFTER_SECONDS));
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
  });

  // [what, error, status, problem code, what the detail says]
  const cases: [string, Error, number, string, RegExp][] = [
    ['a store collision', new StoreError('conflict', 'duplicate key'), 409, 'store_conflict', /duplicate key/],
    ['a missing row', new StoreError('not_found', 'no such row'), 404, 'not_found', /no such row/],
    [
      'a closing store',
      new StoreError('closed', 'the store is closed'),
      503,
      'store_unavailable',
      /cannot reach its database; nothing was stored, retry later/,
    ],
    [
      'a contract refusal',
      new ChainError('reverted', 'reverted', { errorName: 'NotMember', args: [1n] }),
      409,
      'contract_refused',
      /refused: NotMember\(1\)/,
    ],
    [
      'a contract refusal, in words',
      new ChainError('reverted', 'reverted', { errorName: 'UnknownDevice', args: [`0x7888${'0'.repeat(56)}abcd`] }),
      409,
      'contract_refused',
      /^the contract refused: device 0x78880000…abcd is not registered — UnknownDevice\(0x7888/,
    ],
    [
      'an unreachable chain',
      new ChainError('unreachable', 'ECONNREFUSED'),
      503,
      'chain_unavailable',
      /\(unreachable\): ECONNREFUSED/,
    ],
    ['an unknown credential', new AccessError('bad_credential', 'not a credential'), 401, 'bad_credential', /not a credential/],
    ['a foreign organisation', new AccessError('foreign_organisation', 'not ours'), 403, 'foreign_organisation', /not ours/],
    ['an existing user', new AccessError('user_exists', 'user x exists'), 409, 'user_exists', /user x exists/],
    ['a weak password', new AccessError('weak_password', 'too short'), 400, 'weak_password', /too short/],
    ['a malformed tag', new TagError('bad_signature_format', 'not base64url'), 400, 'bad_signature_format', /not base64url/],
    ['an HttpProblem raised at the edge', new HttpProblem(413, 'too_large', 'too large'), 413, 'too_large', /too large/],
  ];
  for (const [what, err, status, code, detail] of cases) {
    it(`${what} → ${status} ${code}`, async () => {
      const r = await answer(err);
      assert.equal(r.status, status);
      assert.equal(r.body.type, `${PROBLEM_BASE}${code}`);
      assert.match(String(r.body.detail), detail);
    });
  }

  it('a lock that ends says when: 423 with Retry-After', async () => {
    const r = await answer(new AccessError('account_locked', 'locked', 42));
    assert.equal(r.status, 423);
    assert.equal(r.headers.get('retry-after'), '42');
  });

  it('a corrupt store or any other error is a 500 that leaks nothing', async () => {
    for (const err of [new StoreError('corrupt', 'row 7 of leaves is broken'), new TypeError('x is undefined')]) {
      const original = console.error;
      console.error = () => undefined; // the handler logs the error for the operator
      try {
        const r = await answer(err);
        assert.equal(r.status, 500);
        assert.equal(r.body.type, `${PROBLEM_BASE}internal`);
        assert.doesNotMatch(JSON.stringify(r.body), /row 7|undefined/);
      } finally {
        console.error = original;
      }
    }
  });

  it('under /epcis the same mapping answers with the binding’s GS1 exception types', async () => {
    const r = await answer(new StoreError('unavailable', 'down'), '/epcis/events');
    assert.equal(r.status, 503);
    assert.equal(r.body.code, 'store_unavailable');
    assert.match(String(r.body.type), /^epcisException:/);
  });

  it('a refused EPCIS capture answers with the binding’s exception type and status', async () => {
    const cases: [CaptureError, number, string][] = [
      [new CaptureError('invalid', 'schema_violation', '/type: must be string'), 400, 'epcisException:ValidationException'],
      [new CaptureError('too_large', 'too_many_events', '51 events'), 413, 'epcisException:CaptureLimitExceededException'],
      [
        new CaptureError(
          'refused',
          'duplicate_event_id',
          'event x exists',
          {},
          {
            type: 'epcisException:ValidationException',
            title: 'Duplicate',
            status: 409,
            detail: 'event x exists',
            code: 'duplicate_event_id',
          },
        ),
        409,
        'epcisException:ValidationException',
      ],
    ];
    for (const [err, status, type] of cases) {
      const r = await answer(err, '/epcis/capture');
      assert.equal(r.status, status, err.code);
      assert.equal(r.body.type, type);
      assert.equal(r.body.code, err.code);
    }
  });
});
