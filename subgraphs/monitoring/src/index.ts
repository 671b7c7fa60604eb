export { buildMonitoringSchema } from './schema';
export { createMonitoringServer, monitoringSubgraph, SUBGRAPH_NAME, type MonitoringServer } from './server';
export { createMonitoringApp, type MonitoringApp } from './app';
export { loadMonitoringConfig, type MonitoringConfig } from './config';
export { rules, permissions } from './permissions';
