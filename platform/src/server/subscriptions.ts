import type { Server } from 'node:http';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { decodeJwt } from 'jose';
import { INTERNAL_ASSERTION_HEADER, verifyInternalAssertion, type GatewayCaller } from '../auth';
import { errors, maskError } from '../errors';
import type { Logger } from '../logging';
import { attachGraphqlWs, type SocketExtra } from './graphql-ws-transport';
import { endable, type Endable } from './endable-iterator';
import { operationShapeRule } from './operation-rules';

export interface SubscriptionServer {
  /** Closes every socket with 1001 (going away) and stops accepting new ones. */
  dispose(): Promise<void>;
}

/** The ping payload key under which the gateway renews its operations' assertions: `{ [operationId]: token }`. */
export const RENEW_PING_KEY = 'atriumRenew';

/** Limits of a subgraph's graphql-ws endpoint. */
export interface SubgraphSubscriptionLimits {
  /** Largest message. Default 64 KiB. */
  maxPayloadBytes?: number;
  /** Unsent bytes before a socket that stopped reading is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Operations per socket (the gateway multiplexes every subscriber onto a few sockets). Default 10 000. */
  maxOperationsPerSocket?: number;
  /** WebSocket ping interval; no pong by the next ping drops the socket. Default 12 s. */
  keepAliveMs?: number;
  /** Lexical tokens per document. Default 2000. */
  maxTokens?: number;
  /** Deepest selection, fragments flattened. Default 12 (the gateway allows 10 to clients). */
  maxDepth?: number;
  /** Aliases per operation. Default 30 (the gateway allows 15 to clients). */
  maxAliases?: number;
}

interface Operation {
  caller: GatewayCaller;
  /** When the operation's assertion expires (ms since epoch), unless renewed. */
  expiresAt: number;
  timer: NodeJS.Timeout | undefined;
  stream: Endable<ExecutionResult> | undefined;
}

interface GatewaySocket extends SocketExtra {
  caller: GatewayCaller | undefined;
  /** When the socket's own assertion expires: operations without their own assertion live until then. */
  callerExpiresAt: number;
  /** By the gateway's `extensions.operationId` (falls back to the graphql-ws id). */
  operations: Map<string, Operation>;
}

/** Skew allowed on an assertion's `exp`, as the HTTP guard allows. */
const CLOCK_TOLERANCE_MS = 5000;

/**
 * graphql-ws on the subgraph's own HTTP server and path, for the gateway only. The socket is opened with a
 * gateway assertion in `connection_init` (4403 otherwise); each operation may carry its subscriber's own
 * assertion in `extensions["x-atrium-assertion"]` (else the socket's principal is used).
 *
 * Hardened like the HTTP endpoint: subscriptions only (queries and mutations go over HTTP), introspection off,
 * token limit, errors masked to their code, a bad operation answered with an `error` message (never a socket
 * close), a bounded send buffer, and assertion lifetime enforced per operation: an operation whose assertion
 * expires without renewal (a `ping` carrying `{ atriumRenew: { [operationId]: token } }`) ends with
 * UNAUTHENTICATED. The gateway renews only while its subscriber's credentials are valid.
 */
export function startSubscriptionServer<Ctx>(options: {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  audience: string;
  secret: string;
  log: Logger;
  context: (caller: GatewayCaller) => Promise<Ctx> | Ctx;
  limits?: SubgraphSubscriptionLimits;
}): SubscriptionServer {
  const { log, schema } = options;
  const limits = options.limits ?? {};
  const maxOperations = limits.maxOperationsPerSocket ?? 10_000;
  const rules = [
    ...specifiedRules,
    NoSchemaIntrospectionCustomRule,
    operationShapeRule({ maxDepth: limits.maxDepth ?? 12, maxAliases: limits.maxAliases ?? 30 }),
  ];
  const verify = async (
    token: unknown,
  ): Promise<{ caller: GatewayCaller; expiresAt: number } | undefined> => {
    if (typeof token !== 'string') return undefined;
    try {
      const caller = await verifyInternalAssertion(token, options);
      const exp = decodeJwt(token).exp;
      return { caller, expiresAt: (exp ?? 0) * 1000 + CLOCK_TOLERANCE_MS };
    } catch {
      return undefined;
    }
  };
  const mask = (list: readonly GraphQLError[], requestId: string | undefined) =>
    list.map((error) => maskError(error.toJSON(), error, { log, requestId }));

  const expire = (operation: Operation) => {
    operation.stream?.end({
      errors: [
        errors.UNAUTHENTICATED('The gateway assertion of this subscription expired', {
          reason: 'assertion_expired',
        }),
      ],
    });
  };
  const arm = (operation: Operation) => {
    clearTimeout(operation.timer);
    operation.timer = setTimeout(() => expire(operation), Math.max(0, operation.expiresAt - Date.now()));
    operation.timer.unref();
  };

  const transport = attachGraphqlWs<GatewaySocket>({
    httpServer: options.httpServer,
    path: options.path,
    log,
    maxPayloadBytes: limits.maxPayloadBytes ?? 64 * 1024,
    maxBufferedBytes: limits.maxBufferedBytes ?? 1024 * 1024,
    keepAliveMs: limits.keepAliveMs ?? 12_000,
    extra: (base) => ({ ...base, caller: undefined, callerExpiresAt: 0, operations: new Map() }),
    onPing: async (socket, payload) => {
      const renewals = payload?.[RENEW_PING_KEY];
      if (typeof renewals !== 'object' || renewals === null) return;
      for (const [operationId, token] of Object.entries(renewals as Record<string, unknown>)) {
        const operation = socket.operations.get(operationId);
        const renewed = operation ? await verify(token) : undefined;
        // A renewal may extend an operation's life, never change who it runs as.
        if (!operation || !renewed || !samePrincipal(renewed.caller, operation.caller)) continue;
        operation.expiresAt = renewed.expiresAt;
        arm(operation);
      }
    },
    server: {
      connectionInitWaitTimeout: 3_000,
      onConnect: async (ctx) => {
        const verified = await verify(ctx.connectionParams?.[INTERNAL_ASSERTION_HEADER]);
        if (!verified) return false;
        ctx.extra.caller = verified.caller;
        ctx.extra.callerExpiresAt = verified.expiresAt;
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const socket = ctx.extra;
        const extensions = payload.extensions ?? {};
        const operationId = typeof extensions.operationId === 'string' ? extensions.operationId : id;
        const own = extensions[INTERNAL_ASSERTION_HEADER];
        const verified = own === undefined ? undefined : await verify(own);
        if (own !== undefined && !verified) {
          return [errors.UNAUTHENTICATED('Invalid gateway assertion for this operation')];
        }
        const caller = verified?.caller ?? socket.caller!;
        const requestId = caller.requestId;
        if (socket.operations.size >= maxOperations || socket.operations.has(operationId)) {
          return [errors.BAD_REQUEST('Too many operations on this socket, or a duplicate operation id')];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: limits.maxTokens ?? 2000 });
        } catch (error) {
          return [errors.GRAPHQL_PARSE_FAILED(error instanceof Error ? error.message : 'Syntax error')];
        }
        const invalid = validate(schema, document, rules);
        if (invalid.length > 0) {
          return invalid.map((error) => errors.GRAPHQL_VALIDATION_FAILED(error.message));
        }
        const operationName = payload.operationName ?? undefined;
        const operation = getOperationAST(document, operationName);
        if (operation?.operation !== 'subscription') {
          return [
            errors.BAD_REQUEST(
              'Only subscriptions are served over WebSocket; send queries and mutations by HTTP',
            ),
          ];
        }
        const state: Operation = {
          caller,
          expiresAt: verified?.expiresAt ?? socket.callerExpiresAt,
          timer: undefined,
          stream: undefined,
        };
        socket.operations.set(operationId, state);
        arm(state);
        const args: ExecutionArgs = {
          schema,
          document,
          operationName,
          variableValues: payload.variables ?? undefined,
          contextValue: await options.context(caller),
          rootValue: { operationId, state, requestId },
        };
        return args;
      },
      subscribe: async (args) => {
        const { state } = args.rootValue as { state: Operation };
        const result = await subscribe({ ...args, rootValue: undefined });
        if (!isAsyncIterable(result)) return result;
        state.stream = endable(result);
        if (Date.now() >= state.expiresAt) expire(state);
        return state.stream;
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        const { requestId } = args.rootValue as { requestId: string | undefined };
        return result.errors ? { ...result, errors: mask(result.errors, requestId) } : undefined;
      },
      onError: (_ctx, _id, _payload, list) => mask(list, undefined),
      onComplete: (ctx, id, payload) => forget(ctx.extra, payload.extensions ?? undefined, id),
      onClose: (ctx) => {
        for (const operation of ctx.extra.operations.values()) clearTimeout(operation.timer);
        ctx.extra.operations.clear();
      },
    },
  });

  function forget(socket: GatewaySocket, extensions: Record<string, unknown> | undefined, id: string): void {
    const operationId = typeof extensions?.operationId === 'string' ? extensions.operationId : id;
    const operation = socket.operations.get(operationId);
    if (!operation) return;
    clearTimeout(operation.timer);
    socket.operations.delete(operationId);
  }

  return { dispose: () => transport.close(1001, 'Going away', 5000) };
}

function samePrincipal(a: GatewayCaller, b: GatewayCaller): boolean {
  const x = a.principal;
  const y = b.principal;
  return (
    x.kind === y.kind &&
    x.userId === y.userId &&
    x.apiKeyId === y.apiKeyId &&
    x.sessionId === y.sessionId &&
    JSON.stringify([...x.roles].sort()) === JSON.stringify([...y.roles].sort()) &&
    JSON.stringify([...x.scopes].sort()) === JSON.stringify([...y.scopes].sort())
  );
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterableIterator<T> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
