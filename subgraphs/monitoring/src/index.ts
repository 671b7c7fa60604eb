export { buildMonitoringSchema } from './schema';
export { createMonitoringServer, SUBGRAPH_NAME } from './server';
export { loadMonitoringConfig, type MonitoringConfig } from './config';
export { rules, permissions } from './permissions';
