// WebSocket query subscriptions (binding: GET /queries/{queryName}/events?stream=true
// or ?minute=5&hour=1 … with "Upgrade: websocket"), on the node's HTTP server
// upgrade event, with the ws package. Each connection is one subscription; it ends
// when the socket closes (or the named query is deleted). Refusals are answered as
// plain HTTP RFC 7807 problems before the handshake. Dead peers are found by ping.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { toHttpProblem } from '../../http/errors.js';
import { EpcisProblem } from '../problem.js';
import { rawQueryPairs } from '../query.js';
import { parseStreamParameters } from './definition.js';
import type { EpcisSubscriptions } from './service.js';

export interface WebSocketOptions {
  /** Where epcisRoutes is mounted (default "/epcis"). */
  prefix?: string;
  /** Ping interval; a peer that missed one pong is dropped (default 30 s). */
  pingMs?: number;
  /** Refuses an upgrade request that may not open a subscription (throws an AccessError or HttpProblem: 401/403), e.g. access/http.ts's authorizeRequest. */
  authorize?: (req: IncomingMessage) => void | Promise<void>;
}

function refuse(socket: Duplex, err: unknown, path: string): void {
  const p =
    toHttpProblem(err) ??
    new EpcisProblem(500, 'epcisException:ImplementationException', 'internal', 'the subscription could not be opened');
  const type = p instanceof EpcisProblem ? p.gs1Type : 'epcisException:ImplementationException';
  const body = JSON.stringify({
    type,
    title: p.code,
    status: p.status,
    detail: p.detail,
    instance: path,
    code: p.code,
    ...p.extra,
  });
  socket.end(
    `HTTP/1.1 ${p.status} ${p.status === 404 ? 'Not Found' : p.status === 400 ? 'Bad Request' : 'Error'}\r\n` +
      `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Serve WebSocket subscriptions on `server`; returns the detach (closes every subscription socket). */
export function attachEpcisWebSockets(server: Server, subs: EpcisSubscriptions, opts: WebSocketOptions = {}): () => void {
  const prefix = opts.prefix ?? '/epcis';
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const route = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/queries/([^/]+)/events/?$`);
  const alive = new WeakMap<object, boolean>();

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const m = route.exec(path);
    if (!m) {
      // Someone else's upgrade (if anyone listens for it); otherwise nothing serves it.
      if (server.listenerCount('upgrade') <= 1) socket.destroy();
      return;
    }
    socket.on('error', () => socket.destroy());
    try {
      await opts.authorize?.(req);
    } catch (err) {
      refuse(socket, err, path);
      return;
    }
    let start: Awaited<ReturnType<EpcisSubscriptions['prepareStream']>>;
    try {
      start = await subs.prepareStream(decodeURIComponent(m[1]!), parseStreamParameters(rawQueryPairs(url)));
    } catch (err) {
      refuse(socket, err, path);
      return;
    }
    if (socket.destroyed) return; // the client left while it was checked
    wss.handleUpgrade(req, socket, head, (ws) => {
      let sub: { close(): void };
      try {
        sub = start({
          send: (text) => ws.send(text),
          bufferedAmount: () => ws.bufferedAmount,
          close: (code, reason) => ws.close(code, reason),
        });
      } catch {
        ws.close(1011, 'the subscription could not be opened');
        return;
      }
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      // Clients have nothing to say: messages are ignored; errors end the subscription like a close.
      ws.on('error', () => ws.terminate());
      ws.on('close', () => sub.close());
    });
  };
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(req, socket, head).catch(() => socket.destroy());
  };
  server.on('upgrade', upgrade);
  const ping = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, opts.pingMs ?? 30_000);
  ping.unref();
  return () => {
    clearInterval(ping);
    server.off('upgrade', upgrade);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}
