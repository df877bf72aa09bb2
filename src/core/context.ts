/** What every core operation receives: plain data and services, no editor API. */
import type { ProjectPaths } from './project/paths';
import type { ProjectConfig } from './project/project';
import type { Warehouse } from './warehouse/warehouse';
import type { SecretStore } from './sources/source';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/** Progress of long work, shown by the editor as a notification and by the CLI on stderr. */
export interface ProgressSink {
  report(update: { message?: string; increment?: number }): void;
}

export interface CoreContext {
  paths: ProjectPaths;
  project: ProjectConfig;
  warehouse: Warehouse;
  secrets: SecretStore;
  log: Logger;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };
export const noProgress: ProgressSink = { report() {} };
