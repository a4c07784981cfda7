// A running member node: wires the data path together —
//   transports (HTTP, MQTT) → ingest (verify, check, group-commit) → store + log
//   → anchor outbox → LogAnchor on the chain; the API serves proofs from it.
// Everything here is wiring; each piece lives (and is tested) in its own module.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createApp } from './api/app.js';
import { AccessService } from './access/service.js';
import { authorizeRequest } from './access/http.js';
import { type NodeAlerts, startAlerts } from './alerts/index.js';
import { DcsaDeriver } from './dcsa/deriver.js';
import { DcsaRepository } from './dcsa/repository.js';
import { DcsaSubscriptions } from './dcsa/subscriptions.js';
import { Anchorer } from './anchor/anchorer.js';
import { DEFAULT_COSIGN_POLICY } from './commands/authorise.js';
import { chainMemberDirectory } from './commands/members.js';
import { CommandService } from './commands/service.js';
import { isSameProcess, processStart } from './chain/chain-lock.js';
import { type ChainClients, createChainClients } from './chain/clients.js';
import { DataDirLock } from './data-dir-lock.js';
import { ensureContracts } from './chain/deploy.js';
import { GovernanceService } from './governance/service.js';
import { ChainDeviceDirectory, registerDevice, revokeDevice } from './chain/devices.js';
import { type EmbeddedChain, startEmbeddedChain } from './chain/embedded.js';
import { ChainHealthMonitor } from './chain/health.js';
import { LogAnchorClient } from './chain/log-anchor.js';
import type { NodeConfig } from './config.js';
import { connectExternalBroker, startEmbeddedBroker, type MqttTransport, type TlsMaterial } from './ingest/mqtt.js';
import { OPERATOR_USERNAME } from './ingest/mqtt-access.js';
import { DEFAULT_LIMITS, Ingestor } from './ingest/pipeline.js';
import { DEFAULT_ADMISSION, DeviceLookupGate, telemetryBodyLimit } from './ingest/admission.js';
import { createVerifier } from './ingest/verifier.js';
import { headSignerFromKey } from './log/head-signer.js';
import { TransparencyLog } from './log/transparency-log.js';
import { ClaimAggregator, type ClaimAggregatorOptions } from './oracle/claims.js';
import { type EpcisRepository, openEpcisRepository } from './epcis/index.js';
import { EpcisSubscriptions } from './epcis/subscriptions/service.js';
import { attachEpcisWebSockets } from './epcis/subscriptions/websocket.js';
import { ShipmentMonitor } from './shipments/monitor.js';
import { GeofenceSets } from './shipments/geofences.js';
import { DocumentService } from './documents/service.js';
import { TagVerifier } from './tags/index.js';
import type { ShipmentStore } from './storage/shipments.js';
import { openStorage } from './storage/index.js';
import { TelemetryFollower } from './ingest/telemetry-follower.js';
import { nodeStore } from './storage/node-store.js';
import type { NodeStore, Storage } from './storage/types.js';
import { LiveFeed } from './http/dashboard/live.js';
import { loadLogIdentity } from './tlog/identity.js';
import { type NodeTlog, startTlog } from './tlog/index.js';
import { cachedPeers, directoryPeers, WITNESS_PEERS_FILE } from './tlog/peers.js';
import { listNodes, type NodeEntry } from './chain/node-directory.js';
import { readMember } from './chain/members.js';
import { bytesToHex } from 'viem';
import { type NodePeerKeys, nodePeerKeys } from './peer/keys.js';
import { registerNode } from './peer/register.js';
import { GrantService } from './peer/grants.js';
import { Replicator } from './peer/replicate.js';
import { NonceCache } from './peer/replay.js';
import { peerRoutes } from './peer/routes.js';
import { directoryOracles, directoryOwnerOf, evidenceSource, NodeOracle } from './consortium/oracle-service.js';
import { anchorEvent, excursionEvent, ingestEvent, payoutEvent } from './http/dashboard/live-events.js';

export interface RunningNode {
  config: NodeConfig;
  httpUrl: string;
  mqttPort: number | undefined;
  /** mqtt://host:port or mqtts://host:port of the embedded broker. */
  mqttUrl: string | undefined;
  rpcUrl: string;
  address: `0x${string}`;
  store: NodeStore;
  /** The storage areas as opened (benchmarks, diagnostics). */
  storage: Storage;
  log: TransparencyLog;
  ingestor: Ingestor;
  anchorer: Anchorer;
  shipments: ShipmentStore;
  monitor: ShipmentMonitor;
  clients: ChainClients;
  /** Chain health (last block, lag, rollbacks; process state when the chain is embedded). */
  chainHealth: ChainHealthMonitor;
  /** The embedded chain this node owns, when it runs one. */
  embeddedChain: EmbeddedChain | null;
  /** Claim excursions of shipments' bound policies on this cover, with these oracles. */
  enableClaims(opts: Omit<ClaimAggregatorOptions, 'clients' | 'shipments' | 'anchorNow'>): ClaimAggregator;
  /** What the dashboard follows live (GET /api/v1/events/stream). */
  live: LiveFeed;
  /** The EPCIS repository (served under /epcis). */
  epcis: EpcisRepository;
  contracts: {
    memberRegistry: `0x${string}`;
    deviceRegistry: `0x${string}`;
    logAnchor: `0x${string}`;
    /** NodeDirectory: absent only on an external network configured without one. */
    nodeDirectory?: `0x${string}`;
    /** ConsortiumGovernance (admission by vote); absent on networks deployed without it. */
    governance?: `0x${string}`;
  };
  /** The node's organisation (MemberRegistry id). */
  orgId: number;
  /** The node's Ed25519 keys: RFC 9421 requests to other members, log checkpoints (peer/keys.ts). */
  peerKeys: NodePeerKeys;
  /** Its NodeDirectory entry as registered at start (null without a directory). */
  directoryEntry: NodeEntry | null;
  /** Grants this organisation issued (signed, logged) and received (peer/grants.ts). */
  grants: GrantService;
  /** Pulls granted records from other members' nodes into the verified mirror (null without a directory). */
  replicator: Replicator | null;
  adminToken: string;
  /** Accounts, sessions and API credentials of the node's organisation. */
  access: AccessService;
  /** Alerts: history, subscriptions, webhook and e-mail delivery. */
  alerts: NodeAlerts;
  /** DCSA Track & Trace 3.0 events: pushed by carriers and derived from evidence (/dcsa/tnt/v3). */
  dcsa: DcsaRepository;
  /** Derives the node's own DCSA events from its evidence. */
  dcsaDeriver: DcsaDeriver;
  /** DCSA webhook subscriptions and their outbox. */
  dcsaSubscriptions: DcsaSubscriptions;
  /** Signed actuator commands: authorised, logged, delivered over MQTT; their effect reports. */
  commands: CommandService;
  /** The node-wide and per-shipment geofence sets (part of every shipment's location rules). */
  geofences: GeofenceSets;
  /** Shipment documents: logged as "document" leaves, indexed, shared by grant. */
  documents: DocumentService;
  /** The embedded broker's operator credential (username "@operator"). */
  mqttOperator: { username: string; password: string };
  /** The HTTP(S) server (its connections' bytesRead show what the node took off the wire). */
  httpServer: Server;
  /** The ledger reads of unknown devices: counted per request and source bounds (ingest/admission.ts). */
  lookupGate: DeviceLookupGate;
  /** C2SP: the log's checkpoints and tiles, this node's witness, the witnessing loop over its peers. */
  tlog: NodeTlog;
  stop(): Promise<void>;
}

/** The file a running node writes so the CLI (audit, device …) can find it. */
export const RUNTIME_FILE = 'node.json';

export interface RuntimeInfo {
  pid: number;
  /** The process's start time (chain-lock.ts processStart), to tell it from a recycled pid. */
  pidStart?: number | null;
  httpUrl: string;
  mqttUrl?: string;
  rpcUrl: string;
  chainId: number;
  address: string;
  contracts: RunningNode['contracts'];
  /** The C2SP identity of the node's log: origin, log vkey (type 0x01), witness vkey (type 0x04). */
  checkpoint?: { origin: string; logVkey: string; witnessVkey: string };
}

export async function startNode(config: NodeConfig, log: (line: string) => void = () => undefined): Promise<RunningNode> {
  mkdirSync(config.dataDir, { recursive: true });
  // One node per data dir (before anything is opened): a second one is refused, naming the first.
  const dirLock = DataDirLock.acquire(config.dataDir, `tradetwin node (pid ${process.pid})`);
  const runtimeFile = join(config.dataDir, RUNTIME_FILE);
  const stops: (() => Promise<void>)[] = [
    // Runs last: node.json goes (only if it is still this node's), then the data dir is free.
    async () => {
      removeOwnRuntimeInfo(runtimeFile);
      dirLock.release();
    },
  ];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => log(`stop: ${String(err)}`));
    stops.length = 0;
  };
  try {
    // Read once at start: a bad path fails the start, not the first client.
    const tls: TlsMaterial | undefined = config.tls
      ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }
      : undefined;
    const storage = await openStorage({ dataDir: config.dataDir, store: config.store });
    stops.push(() => storage.close());
    // The telemetry index follows the log: catch up whatever a crash left unindexed before anything reads it.
    const telemetryFollower = new TelemetryFollower(storage.log, storage.telemetry);
    await telemetryFollower.catchUp();
    stops.push(() => telemetryFollower.idle());
    const store = nodeStore({ ...storage, telemetry: telemetryFollower.reader() });

    const signerKey = config.signerKey ?? nodeKey(config.dataDir);
    const address = privateKeyToAccount(signerKey).address;

    let rpcUrl: string;
    let chainId: number;
    let embeddedChain: EmbeddedChain | null = null;
    if (config.chain.mode === 'embedded') {
      const chain = await startEmbeddedChain(config.dataDir, {
        port: config.chain.port,
        chainId: config.chain.chainId,
        fund: [address],
        genesisTimestamp: config.chain.genesisTimestamp,
        role: `tradetwin node (pid ${process.pid})`,
        log,
      });
      embeddedChain = chain;
      stops.push(() => chain.stop());
      rpcUrl = chain.rpcUrl;
      chainId = config.chain.chainId;
    } else {
      rpcUrl = config.chain.rpcUrl;
      chainId = config.chain.chainId;
    }
    const clients = createChainClients({
      rpcUrl,
      chainId,
      signerKey,
      gasPrice: config.chain.mode === 'external' ? config.chain.gasPrice : 'auto',
      pollingIntervalMs: config.chain.mode === 'external' ? config.chain.pollingIntervalMs : 100,
    });
    const deployed = await ensureContracts(store, clients, {
      orgName: config.orgName,
      addresses: config.chain.mode === 'external' ? config.chain.addresses : undefined,
      ...(config.genesis ? { genesis: config.genesis } : {}),
    });
    const contracts = deployed.addresses;
    log(`chain ${chainId} at ${rpcUrl}; contracts ${deployed.deployed ? 'deployed' : 'found'}: ${JSON.stringify(contracts)}`);

    const tlog = await TransparencyLog.open(store, headSignerFromKey(signerKey));
    const directory = new ChainDeviceDirectory(store, clients, contracts.deviceRegistry);
    await directory.start();
    stops.push(() => directory.stop());

    const verifier = createVerifier({ workers: config.ingest.verifyWorkers, keys: (id) => directory.get(id) });
    stops.push(() => verifier.close());

    const live = new LiveFeed();
    const anchorClient = new LogAnchorClient(clients, contracts.logAnchor, deployed.fromBlock);
    const anchorer = new Anchorer(tlog, store, anchorClient, config.anchor, {
      onConfirmed: (a) => {
        log(`anchored head size ${a.size} in tx ${a.txHash}`);
        live.publish('anchor', anchorEvent(a));
      },
      onError: (err) => log(`anchor: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`),
      onDiscrepancies: (found) => {
        for (const d of found) log(`anchor check: ${d.kind}: ${d.detail}`);
      },
    });
    // A chain that came back may have lost its last blocks: check every recorded anchor again.
    embeddedChain?.onRestart(() => anchorer.requestReconcile());
    const chainHealth = new ChainHealthMonitor(clients.publicClient, {
      mode: config.chain.mode,
      process: embeddedChain ? () => embeddedChain.state() : undefined,
      onRollback: (from, to) => {
        log(`chain went back from block ${from} to ${to}: re-checking anchors`);
        anchorer.requestReconcile();
      },
    });
    chainHealth.start();
    stops.push(() => chainHealth.stop());
    const shipments = storage.shipments;
    let claims: ClaimAggregator | undefined;
    let alerts: NodeAlerts | undefined;
    // Excursions before the DCSA deriver starts are derived from the store by its start.
    let dcsaDeriver: DcsaDeriver | undefined;
    // Excursions recorded before the alerts start (they need the access service): handed over once they do.
    const early: [Parameters<NodeAlerts['noteExcursion']>[0], number][] = [];
    // The node-wide and per-shipment geofence sets: part of every shipment's location rules.
    const geofences = new GeofenceSets(storage.settings);
    const monitor = new ShipmentMonitor(
      store,
      shipments,
      {
        onExcursion: (x, s) => {
          claims?.noteExcursion(x, s);
          dcsaDeriver?.noteExcursion(x, s);
          if (alerts) alerts.noteExcursion(x, Date.now());
          else early.push([x, Date.now()]);
          live.publish('excursion', excursionEvent(x, s));
        },
        // Location events before the deriver starts are taken from the monitor by its start.
        onLocationEvent: (e, s) => dcsaDeriver?.noteLocationEvent(e, s),
      },
      Date.now,
      geofences,
    );
    await monitor.start();

    // EPCIS events go into the same log; trace and tag verification read them.
    const epcis = await openEpcisRepository({
      index: storage.epcis,
      store,
      log: tlog,
      hashVersion: config.epcis.hashCbv,
      onAppended: () => anchorer.noteAppended(),
    });
    stops.push(async () => epcis.close());
    // Named queries and subscriptions: the delivery worker resumes its outbox (stopped before the repository).
    const epcisSubscriptions = new EpcisSubscriptions(epcis, storage.subscriptions, { webhooks: config.webhooks }).start();
    stops.push(() => epcisSubscriptions.close());
    // DCSA Track & Trace events go into the same log; their index follows it.
    const dcsa = await new DcsaRepository({
      index: storage.dcsa,
      store,
      log: tlog,
      onAppended: () => anchorer.noteAppended(),
    }).init();
    // The node's own DCSA events: reefer alarms and door openings from excursions, gate/load/discharge from EPCIS.
    const deriver = new DcsaDeriver(dcsa, {
      node: { address },
      log: tlog,
      store,
      shipments,
      locationEvents: () => monitor.allLocationEvents(),
      onError: (err) => log(`dcsa derive: ${err instanceof Error ? err.message : String(err)}`),
    }).start();
    dcsaDeriver = deriver;
    // DCSA webhook subscriptions: the fan-out follows the index; the outbox resumes.
    const dcsaSubscriptions = await new DcsaSubscriptions(dcsa, {
      timeoutMs: config.alerts.timeoutMs,
      retryBaseMs: config.alerts.retryBaseMs,
      retryMaxMs: config.alerts.retryMaxMs,
      webhooks: config.webhooks,
    }).start();
    stops.push(() => dcsaSubscriptions.close());
    const stopEpcisNotices = epcis.onIndexed(() => deriver.noteEpcis());
    stops.push(async () => {
      stopEpcisNotices();
      await deriver.stop();
    });
    const tagVerifier = new TagVerifier({
      repo: epcis,
      sightings: storage.tags,
      clients,
      memberRegistry: contracts.memberRegistry,
    });

    const lastSeqs = new Map((await store.deviceStates()).map((s) => [s.deviceId, s.lastSeq]));
    const ingestor = new Ingestor({
      log: tlog,
      verifier,
      devices: directory,
      lastSeqs,
      limits: config.ingest,
      lookupGate: new DeviceLookupGate(config.ingest),
      chainRetryAfterSeconds: () => chainHealth.retryAfterSeconds(),
      onCommit: (batch) => {
        // Acknowledged already (the log committed); a failed index write is caught up by the next one.
        telemetryFollower.follow(batch.firstIndex, batch.rows).catch((err: unknown) => log(`telemetry index: ${String(err)}`));
        anchorer.noteAppended();
        monitor.noteCommitted(batch);
        live.publish('ingest', ingestEvent(batch));
      },
    });
    // Stop order (reversed): transports first, then flush ingest, then anchor what was committed.
    stops.push(async () => {
      await anchorer.stop();
    });
    stops.push(() => ingestor.flush());
    await anchorer.start();

    let mqtt: MqttTransport | undefined;
    const commands = new CommandService({
      store: storage.commands,
      log: tlog,
      devices: directory,
      shipments,
      members: chainMemberDirectory(clients, contracts.memberRegistry),
      deliver: (deviceId, bundle) => {
        if (!mqtt) return Promise.reject(new Error('no MQTT transport'));
        return mqtt.publishCommand(deviceId, bundle);
      },
      policy: config.commands ?? DEFAULT_COSIGN_POLICY,
      onAppended: () => anchorer.noteAppended(),
    });
    const onEffect = (deviceId: string, report: Uint8Array) =>
      commands.receiveEffect(deviceId, report).then(
        () => undefined,
        (err: unknown) => log(`command effect from ${deviceId} refused: ${err instanceof Error ? err.message : String(err)}`),
      );
    const mqttOperator = {
      username: OPERATOR_USERNAME,
      password: readOrCreate(join(config.dataDir, 'mqtt-operator-password'), () => randomBytes(24).toString('hex')),
    };
    if (config.mqtt.mode === 'embedded') {
      mqtt = await startEmbeddedBroker(ingestor, {
        host: config.mqtt.host,
        port: config.mqtt.port,
        access: { devices: directory, audience: address, operatorPassword: mqttOperator.password },
        tls,
        onEffect,
      });
    } else if (config.mqtt.mode === 'external') {
      mqtt = await connectExternalBroker(ingestor, config.mqtt, onEffect);
    }
    if (mqtt) stops.push(() => mqtt.close());

    const adminToken = readOrCreate(join(config.dataDir, 'admin-token'), () => randomBytes(24).toString('hex'));
    const access = new AccessService(storage.access, {
      orgId: deployed.orgId,
      adminToken,
      sessionTtlMs: config.access.sessionTtlMs,
    });
    alerts = await startAlerts(
      storage.alerts,
      { shipments, deviceStates: () => store.deviceStates(), anchors: (status) => store.anchors(status) },
      {
        node: address,
        scopesOf: (owner) => access.scopesOf(owner),
        shipmentExists: async (id) => (await shipments.shipment(id)) !== null,
        smtp: config.alerts.smtp,
        deviceSilentMs: config.alerts.deviceSilentMs,
        anchoringStalledMs: config.alerts.anchoringStalledMs,
        timeoutMs: config.alerts.timeoutMs,
        retryBaseMs: config.alerts.retryBaseMs,
        retryMaxMs: config.alerts.retryMaxMs,
        webhooks: config.webhooks,
        onRaised: (a) =>
          live.publish('alert', { id: a.id, kind: a.kind, severity: a.severity, shipmentId: a.shipmentId, title: a.title }),
      },
    );
    const nodeAlerts = alerts;
    for (const [x, at] of early.splice(0)) nodeAlerts.noteExcursion(x, at);
    stops.push(() => nodeAlerts.stop());
    // C2SP: checkpoints signed with the data dir's checkpoint key, the witness, the witnessing loop.
    const logIdentity = loadLogIdentity(config.dataDir, { origin: config.tlog?.origin, address });
    const tlogSide = startTlog({
      log: tlog,
      store: storage.witness,
      identity: logIdentity,
      peers: config.tlog?.peers,
      peersFile: join(config.dataDir, WITNESS_PEERS_FILE),
      // The members' logs as NodeDirectory names them (origin, checkpoint key, endpoint): witnessed, and witnesses.
      morePeers: contracts.nodeDirectory
        ? [
            cachedPeers(
              directoryPeers(
                async () =>
                  (await listNodes(clients, contracts.nodeDirectory!)).map((n) => ({
                    ...n,
                    checkpointKey: bytesToHex(n.checkpointKey),
                  })),
                logIdentity.origin,
              ),
            ),
          ]
        : [],
      pushIntervalMs: config.tlog?.pushIntervalMs,
      pollIntervalMs: config.tlog?.pollIntervalMs,
      allowFork: config.tlog?.allowFork,
      raise: (a) => {
        nodeAlerts.service.raise(a).catch((err: unknown) => log(`alert: ${String(err)}`));
      },
      onLog: log,
    });
    stops.push(() => tlogSide.stop());
    // Between member nodes: grants (default deny), the signed /peer/v1 endpoints, the verified mirror.
    const peerKeys = nodePeerKeys(config.dataDir, { secretKey: logIdentity.secretKey, publicKey: logIdentity.publicKey });
    const grants = new GrantService({
      orgId: deployed.orgId,
      grants: storage.grants,
      log: tlog,
      secretKey: peerKeys.httpSig.secretKey,
      onAppended: () => anchorer.noteAppended(),
    });
    const nodeDirectory = contracts.nodeDirectory;
    const replicator = nodeDirectory
      ? new Replicator({
          key: { orgId: deployed.orgId, secretKey: peerKeys.httpSig.secretKey },
          clients,
          contracts: { nodeDirectory, logAnchor: contracts.logAnchor, deviceRegistry: contracts.deviceRegistry },
          grants: storage.grants,
          mirror: storage.mirror,
          onRefused: (r) => {
            log(`replication from org ${r.owner} refused (${r.code}): ${r.detail}`);
            void nodeAlerts.service
              .raise({
                kind: 'replication_refused',
                severity: 'critical',
                shipmentId: null,
                title: `Org ${r.owner} served ${r.scope} that does not verify (${r.code}): refused, not stored`,
                detail: { ...r },
                dedupeKey: `replication_refused:${r.owner}:${r.scope}:${r.code}:${r.at}`,
                occurredAt: r.at,
              })
              .catch((err: unknown) => log(`alert not raised: ${String(err)}`));
          },
        })
      : null;
    // Consortium: this organisation's oracle, asked by the member settling a claim (/peer/v1/oracle/attest,
    // signed); another member's log is read from the verified mirror of what that member granted.
    const evidence = evidenceSource({
      self: address,
      store,
      log: tlog,
      replicator,
      ownerOf: nodeDirectory ? directoryOwnerOf(clients, nodeDirectory) : async () => null,
      onLog: log,
    });
    const ownOracle = config.consortium?.oracle
      ? new NodeOracle({ name: config.orgName, clients, contracts, evidence })
      : undefined;
    const documents = new DocumentService({
      documents: storage.documents,
      shipments,
      log: tlog,
      store,
      onAppended: () => anchorer.noteAppended(),
    });
    await documents.init();
    const peerApp = nodeDirectory
      ? peerRoutes({
          auth: { clients, memberRegistry: contracts.memberRegistry, nodeDirectory, nonces: new NonceCache() },
          grants,
          store,
          log: tlog,
          shipments,
          epcis: storage.epcis,
          documents: storage.documents,
          publisher: address,
          oracle: ownOracle,
        })
      : null;
    const app = createApp({
      store,
      log: tlog,
      ingestor,
      chain: { chainId, rpcUrl, nodeAddress: address, ...contracts },
      access,
      corsOrigins: config.access.corsOrigins,
      ingestHttp: {
        maxBodyBytes: telemetryBodyLimit(
          { ...DEFAULT_ADMISSION, ...config.ingest },
          config.ingest.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes,
        ),
        maxMessages: config.ingest.maxEnvelopesPerRequest ?? DEFAULT_ADMISSION.maxEnvelopesPerRequest,
        sliceSize: config.ingest.sliceSize ?? DEFAULT_ADMISSION.sliceSize,
      },
      maxApiBodyBytes: config.http.maxBodyBytes,
      secureCookies: config.access.secureCookies,
      display: config.display,
      devices: {
        register: async (d) => {
          const r = await registerDevice(clients, contracts.deviceRegistry, d);
          await directory.lookup(d.deviceId, { fresh: true });
          return r;
        },
        revoke: async (id, at) => {
          const r = await revokeDevice(clients, contracts.deviceRegistry, id, at);
          await directory.sync();
          return r;
        },
      },
      shipments: { shipments, monitor, clients, publisher: address },
      governance: new GovernanceService({
        clients,
        memberRegistry: contracts.memberRegistry,
        ...(contracts.governance ? { governance: contracts.governance } : {}),
        orgId: deployed.orgId,
      }),
      dossiers: {
        store,
        log: tlog,
        shipments,
        monitor,
        clients,
        chain: { chainId, ...contracts },
        nodeAddress: address,
        signer: clients.account,
        explorerTxUrl: config.explorer?.txUrl,
        fromBlock: deployed.fromBlock,
        onIssued: () => anchorer.noteAppended(),
      },
      epcis,
      epcisSubscriptions,
      alerts: alerts.service,
      dcsa,
      dcsaSubscriptions,
      commands,
      sharing: { grants, shipments, mirror: storage.mirror, replicator },
      geofences: { geofences, shipments, monitor },
      documents,
      tags: { verifier: tagVerifier, brand: clients.account },
      status: async () => ({
        anchoring: await anchoringStatus(store, anchorer),
        chainHealth: chainHealth.snapshot(),
        mqtt: mqtt?.port !== undefined ? { port: mqtt.port, tls: tls !== undefined } : config.mqtt.mode,
        alerts: await nodeAlerts.service.status(),
        witness: await tlogSide.status(),
      }),
      tlog: tlogSide,
      web: { live },
    });
    // The server's env (the Node request, for "over HTTP" checks and the caller's address) goes to either app.
    const fetchAll = (req: Request, env?: unknown) =>
      peerApp && new URL(req.url).pathname.startsWith('/peer/') ? peerApp.fetch(req, env) : app.fetch(req, env);
    const server = await listen(fetchAll, config.http.host, config.http.port, tls);
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
    );
    // WebSocket query subscriptions ride the HTTP server's upgrade event (closed before the server).
    const detachWebSockets = attachEpcisWebSockets(server as Server, epcisSubscriptions, { authorize: authorizeRequest(access) });
    stops.push(async () => detachWebSockets());
    const port = (server.address() as AddressInfo).port;
    const httpUrl = `${tls ? 'https' : 'http'}://${config.http.host}:${port}`;
    const mqttUrl =
      mqtt?.port !== undefined && config.mqtt.mode === 'embedded'
        ? `${tls ? 'mqtts' : 'mqtt'}://${config.mqtt.host}:${mqtt.port}`
        : undefined;

    // One node per organisation: announce this one in NodeDirectory (endpoint and keys) for its peers.
    let directoryEntry: NodeEntry | null = null;
    if (contracts.nodeDirectory) {
      const registered = await registerNode(clients, contracts.nodeDirectory, deployed.orgId, {
        endpoint: config.peer?.publicUrl ?? httpUrl,
        logOrigin: logIdentity.origin,
        keys: peerKeys,
      });
      directoryEntry = registered.entry;
      if (registered.changed) log(`node directory: org ${deployed.orgId} at ${registered.entry.endpoint}`);
    }

    const info: RuntimeInfo = {
      pid: process.pid,
      pidStart: processStart(process.pid),
      httpUrl,
      mqttUrl,
      rpcUrl,
      chainId,
      address,
      contracts,
      checkpoint: {
        origin: tlogSide.identity.origin,
        logVkey: tlogSide.identity.logVkey,
        witnessVkey: tlogSide.identity.witnessVkey,
      },
    };
    writeFileSync(runtimeFile, `${JSON.stringify(info, null, 2)}\n`);

    const running: RunningNode = {
      config,
      httpUrl,
      mqttPort: mqtt?.port,
      mqttUrl,
      rpcUrl,
      address,
      store,
      storage,
      log: tlog,
      ingestor,
      anchorer,
      shipments,
      monitor,
      clients,
      chainHealth,
      embeddedChain,
      enableClaims: (opts) => {
        claims = new ClaimAggregator({
          ...opts,
          clients,
          shipments,
          anchorNow: () => anchorer.anchorNow(),
          onOutcome: (o) => {
            opts.onOutcome?.(o);
            nodeAlerts.noteClaim(o);
            const paid = payoutEvent(o);
            if (paid) live.publish('payout', paid);
          },
        });
        return claims;
      },
      live,
      epcis,
      contracts,
      orgId: deployed.orgId,
      peerKeys,
      directoryEntry,
      grants,
      replicator,
      adminToken,
      access,
      alerts: nodeAlerts,
      dcsa,
      dcsaDeriver: deriver,
      dcsaSubscriptions,
      commands,
      geofences,
      documents,
      mqttOperator,
      httpServer: server as Server,
      lookupGate: ingestor.lookupGate,
      tlog: tlogSide,
      stop: stopAll,
    };
    // Consortium: settle the cover's claims with this organisation's oracle and the other members' (NodeDirectory,
    // read at each claim; asked with requests signed by this node's RFC 9421 key).
    const settle = config.consortium?.claims;
    if (settle) {
      const peerKey = { orgId: deployed.orgId, secretKey: peerKeys.httpSig.secretKey };
      const nameOf = async (orgId: number) =>
        (await readMember(clients, contracts.memberRegistry, orgId).catch(() => null))?.name ?? `org ${orgId}`;
      running.enableClaims({
        cover: settle.cover,
        memberRegistry: contracts.memberRegistry,
        oracles: async () => [
          ...(ownOracle ? [ownOracle] : []),
          ...(nodeDirectory
            ? await directoryOracles({ clients, nodeDirectory, orgId: deployed.orgId, key: peerKey, nameOf })
            : []),
        ],
        threshold: settle.threshold,
        onOutcome: (o) =>
          log(
            `claim ${o.status} on policy ${o.policyId}${o.txHash ? ` tx ${o.txHash}` : ''}${o.latencyMs !== undefined ? ` ${o.latencyMs} ms after the excursion` : ''}: ${o.signers.map((s) => `${s.oracle} ${s.error ? `refused (${s.error})` : 'signed'}`).join('; ')}${o.detail ? ` — ${o.detail}` : ''}`,
          ),
      });
    }
    return running;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The outbox as /status shows it: depth by state, the last confirmed head, the last reconciliation. */
async function anchoringStatus(store: NodeStore, anchorer: Anchorer) {
  const pending = (await store.anchors('pending')).length;
  const sent = (await store.anchors('sent')).length;
  const requeued = (await store.anchors('requeued')).length;
  const last = await store.latestConfirmedAnchor();
  return {
    outboxDepth: pending + sent + requeued,
    pending,
    sent,
    requeued,
    lastConfirmed: last ? { size: last.size, txHash: last.txHash, blockNumber: last.blockNumber, at: last.confirmedAt } : null,
    lastCheck: anchorer.lastReconcile
      ? {
          at: anchorer.lastReconcile.at,
          discrepancies: anchorer.lastReconcile.discrepancies.map((d) => ({ kind: d.kind, size: d.size })),
        }
      : null,
    policy: anchorer.policy,
  };
}

function listen(
  fetch: (req: Request, env?: unknown) => Response | Promise<Response>,
  hostname: string,
  port: number,
  tls: TlsMaterial | undefined,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const options = tls ? { createServer: createHttpsServer, serverOptions: { cert: tls.cert, key: tls.key } } : {};
    const server = serve({ fetch, hostname, port, ...options }, () => resolve(server));
    server.once('error', reject);
  });
}

/** The node's account key, generated on first start and kept in the data dir (mode 0600). */
function nodeKey(dataDir: string): `0x${string}` {
  const value = readOrCreate(join(dataDir, 'node-key'), () => generatePrivateKey());
  if (!/^0x[0-9a-f]{64}$/i.test(value)) throw new Error(`${join(dataDir, 'node-key')} does not hold a 32-byte hex key`);
  return value as `0x${string}`;
}

/** The node's account key of an existing data dir (for offline tools such as audit). */
export function readNodeKey(dataDir: string): `0x${string}` {
  const path = join(dataDir, 'node-key');
  if (!existsSync(path)) throw new Error(`${path} does not exist: this data dir has never run a node`);
  return nodeKey(dataDir);
}

function readOrCreate(path: string, make: () => string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = make();
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return value;
}

export function readRuntimeInfo(dataDir: string): RuntimeInfo | null {
  const file = join(dataDir, RUNTIME_FILE);
  if (!existsSync(file)) return null;
  let info: RuntimeInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as RuntimeInfo;
  } catch {
    return null; // damaged: no node to be found through it
  }
  // Left behind by a node that was killed (its pid gone, or now another process's): nobody there.
  return isSameProcess(info.pid, info.pidStart) ? info : null;
}

/** Remove node.json only when this process wrote it: never another node's. */
function removeOwnRuntimeInfo(file: string): void {
  let info: RuntimeInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as RuntimeInfo;
  } catch {
    return; // absent or unreadable: nothing of ours
  }
  if (info.pid === process.pid) rmSync(file, { force: true });
}
