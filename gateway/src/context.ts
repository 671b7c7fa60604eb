import type { Principal } from '@atrium/platform/auth';
import type { Logger } from '@atrium/platform/logging';

/** Per-request context of the gateway: who is calling, for the data sources that sign their assertions. */
export interface GatewayContext {
  principal: Principal;
  requestId: string;
  log: Logger;
}
