import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import {
  getOperationAST,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type FormattedExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { decodeJwt } from 'jose';
import type { Principal } from '@atrium/platform/auth';
import { errors, stripSuggestions } from '@atrium/platform/errors';
import type { Logger } from '@atrium/platform/logging';
import { attachGraphqlWs, type GraphqlWsTransport, type SocketExtra } from '@atrium/platform/server';
import type { Authenticator } from '../auth';
import { readCredential } from '../auth/credentials';
import type { OperationLimits } from '../config-hardening';
import type { GatewayContext } from '../context';
import { formatGatewayError } from '../errors';
import { checkCost, parseOperation, validateOperation } from '../limits';
import type { GatewayRateLimits } from '../rate-limits';
import type { ClientSubscription, SubscriptionEngine } from './engine';
import { lifecycleError } from './errors';
import type { SubscriptionMetrics } from './metrics';
import type { SubscriptionSettings } from './config';
import { subscriptionShapeErrors } from './operation-shape';
import { DocumentCache, type CheckedDocument } from './document-cache';

/** Distinct operation texts whose parsed, validated document is kept (shared by every client sending it). */
const DOCUMENT_CACHE_ENTRIES = 1000;

/** What the gateway knows about one client connection. */
export interface Connection extends SocketExtra {
  id: string;
  principal: Principal | undefined;
  clientIp: string | undefined;
  userAgent: string | undefined;
  /** Subscriptions of this connection by graphql-ws id. */
  subscriptions: Map<string, ClientSubscription>;
  expiryTimer: NodeJS.Timeout | undefined;
  /** API keys are verified again on this interval, so a revoked key's subscriptions end. */
  recheckTimer: NodeJS.Timeout | undefined;
  closing: boolean;
}

/** The contextValue handed from onSubscribe to the subscribe/execute hooks. */
interface OperationContext {
  gateway: GatewayContext;
  connection: Connection;
  id: string;
}

export interface SocketServerDeps {
  httpServer: Server;
  path: string;
  settings: SubscriptionSettings;
  limits: OperationLimits;
  corsOrigins: readonly string[];
  trustProxyHops: number;
  authenticator: Authenticator;
  rateLimits: GatewayRateLimits;
  engine: SubscriptionEngine;
  /** The public API schema operations are validated against; undefined until the gateway loaded it. */
  apiSchema: () => GraphQLSchema | undefined;
  /** Runs a query or mutation through the same pipeline as HTTP (Apollo Server executeOperation). */
  executeOperation: (
    request: { query: string; variables?: Record<string, unknown>; operationName?: string },
    context: GatewayContext,
  ) => Promise<FormattedExecutionResult>;
  requestDeadlineMs: number;
  /** How often an API-key connection's key is verified again. */
  credentialRecheckMs: number;
  metrics: SubscriptionMetrics;
  log: Logger;
}

export interface SocketServer {
  /** Open client connections. */
  readonly connections: ReadonlySet<Connection>;
  /** Subscriptions being served, over every connection. */
  readonly activeCount: number;
  /** Ends every subscription with `error`, waits (bounded) for it to reach clients, closes sockets with 1001. */
  close(error: ReturnType<typeof lifecycleError>, timeoutMs: number): Promise<void>;
}

/**
 * The client side of the engine: graphql-ws on the gateway's HTTP server. Authentication happens once, at
 * `connection_init`, with the same verifier as HTTP; every operation then passes the HTTP path's parse limits,
 * validation rules, cost limit, rate limits and masking before anything reaches a subgraph.
 */
export function startSocketServer(deps: SocketServerDeps): SocketServer {
  const { settings, log, metrics } = deps;
  const connections = new Set<Connection>();
  const perUser = new Map<string, number>();
  const documents = new DocumentCache(DOCUMENT_CACHE_ENTRIES);
  let active = 0;

  const transport: GraphqlWsTransport = attachGraphqlWs<Connection>({
    httpServer: deps.httpServer,
    path: deps.path,
    log,
    maxPayloadBytes: settings.maxPayloadBytes,
    keepAliveMs: settings.keepAliveMs,
    maxBufferedBytes: settings.maxBufferedBytes,
    refuseUpgrade: (request) =>
      originAllowed(request, deps.corsOrigins) ? undefined : { status: 403, reason: 'Forbidden' },
    extra: ({ socket, request }) => {
      const connection: Connection = {
        socket,
        request,
        id: randomUUID(),
        principal: undefined,
        clientIp: clientIpOf(request, deps.trustProxyHops),
        userAgent: request.headers['user-agent'],
        subscriptions: new Map(),
        expiryTimer: undefined,
        recheckTimer: undefined,
        closing: false,
      };
      connections.add(connection);
      metrics.connections.inc();
      return connection;
    },
    server: {
      connectionInitWaitTimeout: settings.initTimeoutMs,
      onConnect: async (ctx) => {
        const connection = ctx.extra;
        const principal = await authenticate(connection, ctx.connectionParams);
        if (!principal) {
          metrics.rejections.inc({ reason: 'auth' });
          return false;
        }
        connection.principal = principal;
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const connection = ctx.extra;
        const result = await admit(connection, id, payload);
        if (Array.isArray(result)) return result as GraphQLError[];
        return result as ExecutionArgs;
      },
      subscribe: async (args) => {
        const { gateway, connection, id } = args.contextValue as OperationContext;
        const principal = connection.principal!;
        const userKey = userKeyOf(principal);
        active++;
        perUser.set(userKey, (perUser.get(userKey) ?? 0) + 1);
        const subscription = await deps.engine.subscribe({
          document: args.document,
          operationName: args.operationName ?? undefined,
          variables: (args.variableValues ?? undefined) as Record<string, unknown> | undefined,
          context: gateway,
          onClosed: () => {
            active--;
            const left = (perUser.get(userKey) ?? 1) - 1;
            if (left > 0) perUser.set(userKey, left);
            else perUser.delete(userKey);
            connection.subscriptions.delete(id);
          },
        });
        connection.subscriptions.set(id, subscription);
        // The queue writes `next` frames itself, each event serialized once for all its subscribers (a fan-out
        // to thousands of sockets otherwise pays graphql-ws' per-message serialization and promises for each).
        subscription.writeFramesTo(
          { send: (frame, written) => transport.send(connection.socket, frame, written) },
          id,
        );
        return subscription.iterator as AsyncIterableIterator<never>;
      },
      execute: async (args) => {
        const { gateway } = args.contextValue as OperationContext;
        const payload = args.rootValue as { query: string; variables?: Record<string, unknown> };
        return (await deps.executeOperation(
          {
            query: payload.query,
            variables: payload.variables,
            operationName: args.operationName ?? undefined,
          },
          gateway,
        )) as never;
      },
      // Results are masked already (engine or Apollo); graphql-ws would call toJSON() on plain objects. (A
      // subscription's own results do not come this way: its queue writes them, see subscribe above.)
      onNext: (_ctx, _id, _payload, _args, result) => result as FormattedExecutionResult,
      onError: (_ctx, _id, _payload, list) =>
        list.map((error) => formatGatewayError(error.toJSON(), error, { log, requestId: undefined })),
      onClose: (ctx) => {
        const connection = ctx.extra;
        clearTimeout(connection.expiryTimer);
        clearInterval(connection.recheckTimer);
        connections.delete(connection);
        metrics.connections.dec();
      },
    },
  });

  /** The connection's principal, or undefined to refuse it (4403). Identity down: closed 1013 (try again). */
  async function authenticate(
    connection: Connection,
    params: Readonly<Record<string, unknown>> | undefined,
  ): Promise<Principal | undefined> {
    const authorization = params?.authorization ?? params?.Authorization;
    const apiKey = params?.['x-api-key'];
    const headers: Record<string, string> = {};
    if (typeof authorization === 'string') headers.authorization = authorization;
    if (typeof apiKey === 'string') headers['x-api-key'] = apiKey;
    if (Object.keys(headers).length === 0) return undefined;
    let principal: Principal;
    try {
      principal = await deps.authenticator.authenticate(headers, connection.id);
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === 'SUBGRAPH_UNAVAILABLE') {
        connection.socket.close(1013, 'Try again later');
      }
      return undefined;
    }
    if (principal.kind === 'anonymous') return undefined;
    scheduleExpiry(connection, headers);
    if (principal.kind === 'apiKey') scheduleRecheck(connection, headers);
    return principal;
  }

  /**
   * An API key has no expiry of its own but can be revoked (or its owner disabled): it is verified again
   * every `credentialRecheckMs` (identity's answer is cached for AUTH_API_KEY_CACHE_SECONDS), and once
   * refused its subscriptions end with UNAUTHENTICATED and the socket closes 4403.
   */
  function scheduleRecheck(connection: Connection, headers: Record<string, string>): void {
    connection.recheckTimer = setInterval(() => {
      deps.authenticator.authenticate(headers, connection.id).then(
        () => undefined,
        (error: unknown) => {
          if (!(error instanceof GraphQLError) || error.extensions.code !== 'UNAUTHENTICATED') return;
          void endConnection(
            connection,
            lifecycleError('UNAUTHENTICATED', 'The API key is no longer valid'),
            'credentials_revoked',
            4403,
            'Credentials revoked',
            2000,
          );
        },
      );
    }, deps.credentialRecheckMs);
    connection.recheckTimer.unref();
  }

  /** An access token's subscriptions end with SUBSCRIPTION_JWT_EXPIRED at its `exp`; then the socket closes. */
  function scheduleExpiry(connection: Connection, headers: Record<string, string>): void {
    let exp: number | undefined;
    try {
      const credential = readCredential(headers);
      if (credential.kind !== 'jwt') return;
      exp = decodeJwt(credential.token).exp;
    } catch {
      // The authenticator accepted it, so it is not a JWT with a readable `exp`: nothing to schedule.
      return;
    }
    if (typeof exp !== 'number') return;
    const delay = Math.max(0, exp * 1000 - Date.now());
    // setTimeout's limit is 2^31-1 ms; access tokens live minutes.
    connection.expiryTimer = setTimeout(() => void expire(connection), Math.min(delay, 2 ** 31 - 1));
    connection.expiryTimer.unref();
  }

  async function expire(connection: Connection): Promise<void> {
    const error = lifecycleError(
      'SUBSCRIPTION_JWT_EXPIRED',
      'The access token expired; reconnect with a fresh token',
    );
    await endConnection(connection, error, 'jwt_expired', 4403, 'Access token expired', 2000);
  }

  async function endConnection(
    connection: Connection,
    error: ReturnType<typeof lifecycleError>,
    reason: string,
    code: number,
    closeReason: string,
    timeoutMs: number,
  ): Promise<void> {
    if (connection.closing) return;
    connection.closing = true;
    clearTimeout(connection.expiryTimer);
    clearInterval(connection.recheckTimer);
    const pending = [...connection.subscriptions.values()];
    for (const subscription of pending) subscription.end(error, reason);
    // Let graphql-ws write the final results before the close frame.
    const deadline = Date.now() + timeoutMs;
    while (connection.subscriptions.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setImmediate(resolve));
    connection.socket.close(code, closeReason);
  }

  async function admit(
    connection: Connection,
    id: string,
    payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  ): Promise<readonly GraphQLError[] | ExecutionArgs> {
    const reject = (reason: string, list: readonly GraphQLError[]) => {
      metrics.rejections.inc({ reason });
      return list;
    };
    const principal = connection.principal!;
    if (connection.closing) return reject('closing', [errors.UNAUTHENTICATED('The connection is closing')]);
    const schema = deps.apiSchema();
    if (!schema) return reject('not_ready', [errors.SUBGRAPH_UNAVAILABLE('The gateway is not ready yet')]);
    const checked = documents.get(schema, payload.query, () => checkDocument(schema, payload.query));
    if (checked.errors) return reject(checked.reason, checked.errors);
    const { document } = checked;
    const operationName = payload.operationName ?? undefined;
    const variables = payload.variables ?? undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      return reject('validation', [
        errors.OPERATION_RESOLUTION_FAILURE('Unable to identify the operation to run (operationName)'),
      ]);
    }
    const tooCostly = checkCost(schema, document, operationName, variables, deps.limits);
    if (tooCostly) return reject('validation', [tooCostly]);
    const shape = operation.operation === 'subscription' ? subscriptionShapeErrors(document, operation) : [];
    if (shape.length > 0) return reject('validation', shape);
    try {
      // Introspection's own budget is checked by the HTTP pipeline that runs queries (executeOperation).
      await deps.rateLimits.checkPrincipal(principal);
    } catch (error) {
      if (error instanceof GraphQLError) return reject('rate_limit', [error]);
      throw error;
    }
    if (operation.operation === 'subscription') {
      const limit = capExceeded(connection, principal);
      if (limit) {
        return reject('max_limit', [
          errors.SUBSCRIPTION_MAX_LIMIT(`Too many subscriptions (${limit})`, { limit }),
        ]);
      }
    }
    const gateway: GatewayContext = {
      principal,
      requestId: `${connection.id}:${id}`.slice(0, 64),
      log: log.child({ connectionId: connection.id, operationId: id }),
      clientIp: connection.clientIp,
      userAgent: connection.userAgent,
      ...(operation.operation === 'subscription'
        ? {}
        : { signal: AbortSignal.timeout(deps.requestDeadlineMs) }),
    };
    const context: OperationContext = { gateway, connection, id };
    return {
      schema,
      document,
      operationName,
      variableValues: variables,
      contextValue: context,
      rootValue: { query: payload.query, variables: variables ?? undefined },
    };
  }

  /** Parse with the token limit, then schema validation with the limit rules (cost depends on variables). */
  function checkDocument(schema: GraphQLSchema, query: string): CheckedDocument {
    let document: DocumentNode;
    try {
      document = parseOperation(query, deps.limits);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { errors: [errors.GRAPHQL_PARSE_FAILED(message)], reason: 'parse' };
    }
    const invalid = validateOperation(schema, document, deps.limits);
    if (invalid.length > 0) return { errors: invalid.map(asValidationError), reason: 'validation' };
    return { document };
  }

  function capExceeded(connection: Connection, principal: Principal): string | undefined {
    if (active >= settings.maxTotal) return 'per gateway';
    if (connection.subscriptions.size >= settings.maxPerConnection) return 'per connection';
    if ((perUser.get(userKeyOf(principal)) ?? 0) >= settings.maxPerUser) return 'per user';
    return undefined;
  }

  return {
    connections,
    get activeCount() {
      return active;
    },
    close: async (error, timeoutMs) => {
      await Promise.all(
        [...connections].map((connection) =>
          endConnection(connection, error, 'shutdown', 1001, 'Going away', timeoutMs),
        ),
      );
      await transport.close(1001, 'Going away', timeoutMs);
    },
  };
}

function asValidationError(error: GraphQLError): GraphQLError {
  if (typeof error.extensions.code === 'string') return error;
  return errors.GRAPHQL_VALIDATION_FAILED(stripSuggestions(error.message));
}

function userKeyOf(principal: Principal): string {
  if (principal.kind === 'apiKey') return `apikey:${principal.apiKeyId ?? principal.userId}`;
  return `user:${principal.userId}`;
}

/**
 * Browsers always send Origin on a WebSocket upgrade and cannot be stopped by CORS, so it is checked here:
 * allowed are the configured CORS origins and the gateway's own origin. Clients that are not browsers send no
 * Origin and authenticate like any API client.
 */
function originAllowed(request: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  const host = request.headers.host;
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The client address, behind `trustProxyHops` proxies that append to X-Forwarded-For (as express does). */
function clientIpOf(request: IncomingMessage, trustProxyHops: number): string | undefined {
  const direct = request.socket.remoteAddress;
  if (trustProxyHops <= 0) return direct;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const chain = [direct, ...forwarded.reverse()];
  return chain[Math.min(trustProxyHops, chain.length - 1)] ?? direct;
}
