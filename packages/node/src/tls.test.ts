// TLS when configured: one certificate (generated here, signed by a CA made
// here) serves the HTTP API as HTTPS and the embedded broker as MQTTS; clients
// that trust the CA connect, and plain HTTP / MQTT to the same ports fail.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { bytesToHex } from 'viem';
import { connectDevice, publishEnvelopes } from './device/mqtt-device.js';
import { loadConfig } from './config.js';
import { deviceKey, envelope, startTestNode, type TestNode, tempDataDir } from './test-support/node-fixture.js';
import { makeTestPki, opensslMissing, type TestPki } from './test-support/tls.js';

/** An HTTP(S) request: status and body, or the connection error. */
function request(url: string, opts: { ca?: string; method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method: opts.method ?? 'GET', headers: opts.headers, ...(opts.ca ? { ca: opts.ca } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.end(opts.body);
  });
}

/** Plain MQTT CONNECT: resolves on CONNACK, rejects when the connection fails or closes first. */
function plainMqttConnect(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, clientId: 'plain' });
    c.once('connect', () => {
      c.end(true);
      resolve();
    });
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
    c.once('close', () => reject(new Error('connection closed before CONNACK')));
  });
}

const missing = opensslMissing();
describe('TLS: HTTPS and MQTTS with --tls-cert/--tls-key', () => {
  if (missing) {
    it('needs openssl to generate a certificate', (ctx) => ctx.skip(missing));
    return;
  }
  let pki: TestPki;
  let t: TestNode;
  const key = deviceKey('reefer-tls-1', 1);
  before(async () => {
    pki = makeTestPki();
    t = await startTestNode({ configure: (c) => (c.tls = { certFile: pki.certFile, keyFile: pki.keyFile }) });
    assert.match(t.node.httpUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(t.node.mqttUrl, `mqtts://127.0.0.1:${t.node.mqttPort}`);
  });
  after(async () => {
    await t?.dispose();
    pki?.dispose();
  });

  it('serves the API over HTTPS to a client that trusts the CA', async () => {
    const res = await request(`${t.node.httpUrl}/api/v1/status`, { ca: pki.caCert });
    assert.equal(res.status, 200);
    const status = JSON.parse(res.body) as { node: { address: string }; mqtt: { tls: boolean } };
    assert.equal(status.node.address, t.node.address);
    assert.equal(status.mqtt.tls, true);
  });

  it('refuses clients that do not trust the CA, and plain HTTP on the HTTPS port', async () => {
    await assert.rejects(request(`${t.node.httpUrl}/api/v1/status`), /self-signed certificate|unable to (get|verify)/);
    await assert.rejects(request(`${t.node.httpUrl.replace('https:', 'http:')}/api/v1/status`));
  });

  it('a device publishes over MQTTS with its token; the reading is stored', async () => {
    // Registration goes over HTTPS too.
    const reg = await request(`${t.node.httpUrl}/api/v1/admin/devices`, {
      ca: pki.caCert,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.node.adminToken}` },
      body: JSON.stringify({ deviceId: key.deviceId, keyType: key.keyType, publicKey: bytesToHex(key.publicKey) }),
    });
    assert.equal(reg.status, 201);
    const client = await connectDevice(t.node.mqttUrl!, key, { audience: t.node.address, ca: pki.caCert });
    try {
      const summary = await publishEnvelopes(client, key.deviceId, [envelope(key, 1), envelope(key, 2)]);
      assert.deepEqual(summary.rejected, []);
      assert.deepEqual(
        (await t.node.store.telemetry({ deviceId: key.deviceId })).map((r) => r.seq),
        [1, 2],
      );
    } finally {
      await client.endAsync();
    }
  });

  it('refuses plain MQTT on the MQTTS port, and MQTTS clients that do not trust the CA', async () => {
    await assert.rejects(plainMqttConnect(`mqtt://127.0.0.1:${t.node.mqttPort}`));
    await assert.rejects(
      connectDevice(t.node.mqttUrl!, key, { audience: t.node.address }),
      /self-signed certificate|unable to (get|verify)/,
    );
  });

  it('is configured by TRADETWIN_TLS_CERT and TRADETWIN_TLS_KEY together, naming what is wrong otherwise', () => {
    const dir = tempDataDir();
    try {
      const cfg = loadConfig(dir, { TRADETWIN_TLS_CERT: pki.certFile, TRADETWIN_TLS_KEY: pki.keyFile });
      assert.deepEqual(cfg.tls, { certFile: pki.certFile, keyFile: pki.keyFile });
      assert.throws(() => loadConfig(dir, { TRADETWIN_TLS_CERT: pki.certFile }), /both a certificate and a key/);
      assert.throws(
        () => loadConfig(dir, { TRADETWIN_TLS_CERT: pki.certFile, TRADETWIN_TLS_KEY: `${pki.keyFile}.missing` }),
        /does not exist/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
