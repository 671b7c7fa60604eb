import { env, internalTokenSecretSpec, loadConfig, type VarSpec } from '@atrium/platform/config';
import { admissionConfig, admissionSpec, type AdmissionSettings } from './admission/config';
import { authConfig, authSpec, type AuthConfig } from './auth/config';
import { hardeningConfig, hardeningSpec, type HardeningConfig } from './config-hardening';
import { subgraphCallConfig, subgraphCallSpec, type SubgraphCallConfig } from './subgraph/config';
import { subscriptionSettings, subscriptionSpec, type SubscriptionSettings } from './subscriptions/config';

export const SUBGRAPH_NAMES = ['identity', 'integrations', 'generation', 'monitoring'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export const gatewayConfigSpec = {
  NODE_ENV: env.oneOf(['development', 'test', 'production'] as const, { default: 'development' }),
  LOG_LEVEL: env.oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, {
    default: 'info',
  }),
  GATEWAY_PORT: env.port({ default: 4000 }),
  GATEWAY_HOST: env.string({ default: '0.0.0.0' }),
  INTERNAL_TOKEN_SECRET: internalTokenSecretSpec(),
  IDENTITY_URL: env.url({ default: 'http://127.0.0.1:4001/graphql', protocols: ['http:', 'https:'] }),
  INTEGRATIONS_URL: env.url({ default: 'http://127.0.0.1:4002/graphql', protocols: ['http:', 'https:'] }),
  GENERATION_URL: env.url({ default: 'http://127.0.0.1:4003/graphql', protocols: ['http:', 'https:'] }),
  MONITORING_URL: env.url({ default: 'http://127.0.0.1:4004/graphql', protocols: ['http:', 'https:'] }),
  SUPERGRAPH_PATH: env.optionalString(),
  CORS_ORIGINS: env.list({ default: [] }),
  EXPLORER_ENABLED: explorerEnabledSpec(),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.optionalUrl({ protocols: ['http:', 'https:'] }),
  ...hardeningSpec,
  ...authSpec,
  ...subgraphCallSpec,
  ...subscriptionSpec,
  ...admissionSpec,
};

export interface GatewayConfig extends HardeningConfig, AuthConfig, SubgraphCallConfig {
  admission: AdmissionSettings;
  production: boolean;
  logLevel: string;
  port: number;
  host: string;
  internalSecret: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** A file to read the supergraph from instead of the one committed in schema/. */
  supergraphPath: string | undefined;
  corsOrigins: string[];
  /** The graphql-ws subscription engine (SUBSCRIPTION_* variables). */
  subscriptions: SubscriptionSettings;
  /** Serve the GraphiQL explorer and the console (EXPLORER_ENABLED); default on, except in production. */
  explorerEnabled: boolean;
  /** OTLP/HTTP collector base URL; spans are exported to `<it>/v1/traces`. Unset: no spans are made. */
  otlpEndpoint: string | undefined;
}

/** EXPLORER_ENABLED: a boolean whose default depends on NODE_ENV, so production opts in explicitly. */
function explorerEnabledSpec(): VarSpec<boolean> {
  const bool = (fallback: boolean) => env.bool({ default: fallback });
  return {
    description: {
      allowed: bool(true).description!.allowed,
      default: '(true; false when NODE_ENV=production)',
    },
    parse: (raw, ctx) => bool(!ctx.production).parse(raw, ctx),
  };
}

export function loadGatewayConfig(source: Record<string, string | undefined>): GatewayConfig {
  const raw = loadConfig(gatewayConfigSpec, source);
  return Object.freeze({
    production: raw.NODE_ENV === 'production',
    logLevel: raw.LOG_LEVEL,
    otlpEndpoint: raw.OTEL_EXPORTER_OTLP_ENDPOINT,
    port: raw.GATEWAY_PORT,
    host: raw.GATEWAY_HOST,
    internalSecret: raw.INTERNAL_TOKEN_SECRET,
    subgraphUrls: {
      identity: raw.IDENTITY_URL,
      integrations: raw.INTEGRATIONS_URL,
      generation: raw.GENERATION_URL,
      monitoring: raw.MONITORING_URL,
    },
    supergraphPath: raw.SUPERGRAPH_PATH,
    corsOrigins: raw.CORS_ORIGINS,
    explorerEnabled: raw.EXPLORER_ENABLED,
    ...hardeningConfig(raw),
    ...authConfig(raw),
    ...subgraphCallConfig(raw),
    subscriptions: subscriptionSettings(raw),
    ...admissionConfig(raw),
  });
}
