import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from '@atrium/platform/logging';
import { PolicyRegistry } from '@atrium/platform/resilience';
import type { SubgraphResources } from '@atrium/platform/server';
import { ApiKeyChecker } from './api-key/api-key-checker';
import { systemClock, type Clock } from './clock';
import type { IntegrationsConfig } from './config';
import { ConnectionService } from './connection/connection.service';
import { AiCredentials } from './credentials/ai-credentials';
import { CredentialStore } from './credentials/credential-store';
import { Keyring } from './credentials/keyring';
import { OAuthFlow } from './oauth/oauth-flow';
import { Revoker } from './oauth/revoker';
import { TokenClient } from './oauth/token-client';
import { CATALOGUE } from './provider/catalogue';
import { ProviderCalls } from './provider/provider-calls';
import type { ProviderDefinition } from './provider/provider-definition';
import { ProviderRegistry } from './provider/provider-registry';
import { RefreshScheduler } from './refresh/refresh-scheduler';
import { RefreshService } from './refresh/refresh.service';
import { WebhookService } from './webhook/webhook.service';

export interface IntegrationsOptions {
  log: Logger;
  /** Default: the system clock. Tests move a clock of their own. */
  clock?: Clock;
  /** Default: the built-in catalogue. Tests describe a provider that points at a local OAuth server. */
  catalogue?: readonly ProviderDefinition[];
}

/**
 * The integrations domain, built once per process from the opened resources: plain services with explicit
 * dependencies. Resolvers reach it as `ctx.app`; the HTTP routes and the rotation command use it too.
 */
export type IntegrationsApp = ReturnType<typeof createIntegrationsApp>;

export function createIntegrationsApp(
  resources: SubgraphResources,
  config: IntegrationsConfig,
  options: IntegrationsOptions,
) {
  const { db, infra } = resources;
  const { log } = options;
  const settings = config.integrations;
  const clock = options.clock ?? systemClock;
  const em = (): EntityManager => db.fork();
  const policies = new PolicyRegistry();
  const keyring = new Keyring(settings.encryptionKeys);
  const providers = new ProviderRegistry(options.catalogue ?? CATALOGUE, settings);
  const calls = new ProviderCalls({ policies, timeoutMs: settings.providerTimeoutMs });
  const credentials = new CredentialStore({ em, keyring, clock });
  const tokens = new TokenClient({ providers, calls });
  const apiKeys = new ApiKeyChecker({ providers, calls, enabled: settings.apiKeyCheck });
  const revoker = new Revoker({ tokens, log });
  const events = infra.events;
  const connections = new ConnectionService({
    em,
    providers,
    credentials,
    apiKeys,
    revoker,
    events,
    clock,
    log,
  });
  const flow = new OAuthFlow({
    em,
    providers,
    tokens,
    credentials,
    keyring,
    events,
    clock,
    log,
    redirectUri: settings.redirectUrl,
  });
  const refresh = new RefreshService({
    em,
    providers,
    tokens,
    apiKeys,
    credentials,
    lock: infra.lock,
    events,
    clock,
    log,
    marginSeconds: settings.refreshMarginSeconds,
    providerTimeoutMs: settings.providerTimeoutMs,
  });
  const scheduler = new RefreshScheduler({
    refresh,
    flow,
    log,
    intervalSeconds: settings.refreshIntervalSeconds,
  });
  const webhooks = new WebhookService({ em, providers, events, clock, log });
  const aiCredentials = new AiCredentials({ em, credentials, refresh, log });
  return {
    resources,
    config,
    fork: em,
    policies,
    settings,
    clock,
    providers,
    credentials,
    connections,
    flow,
    refresh,
    scheduler,
    webhooks,
    aiCredentials,
    /** Starts background work (the refresh scheduler). */
    start: () => scheduler.start(),
    /** Stops background work and every provider policy; the shell closes the resources afterwards. */
    async close() {
      await scheduler.stop();
      policies.dispose();
    },
  };
}
