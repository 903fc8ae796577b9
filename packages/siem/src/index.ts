export { startSiem, createSiemContext, type SiemServer, type StartSiemOptions } from './server.ts';
export { buildSiemApp, buildListenerApp } from './app.ts';
export { loadSiemConfig, type SiemConfig } from './config.ts';
export { FakeClock, systemClock, type Clock } from './clock.ts';
export { createFaults, type Faults, type FaultSettings } from './faults.ts';
export { bootstrapAccounts, CREDENTIALS_FILE } from './bootstrap.ts';
export { loadRulesFile } from './modules/rules/file.ts';
export { loadTlsFiles, type TlsFiles } from './tls.ts';
