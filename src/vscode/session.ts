/**
 * The extension's one per-workspace object: where the project is, how to
 * reach the warehouse (opened on first use, never at activation), secrets,
 * the log channel, and an event views listen to for refreshes.
 */
import * as vscode from 'vscode';
import { projectPaths, type ProjectPaths } from '../core/project/paths';
import { isProject, loadProject, resolveWarehouseSettings, type WarehouseOverrides } from '../core/project/project';
import { openWarehouse } from '../core/warehouse/open';
import type { Warehouse, WarehouseMode } from '../core/warehouse/warehouse';
import type { CoreContext, Logger } from '../core/context';
import type { SecretField, SecretStore } from '../core/sources/source';

export type ChangeKind = 'project' | 'sources' | 'warehouse' | 'catalog' | 'models' | 'runs';

const WAREHOUSE_PASSWORD_KEY = 'kimball.warehouse.password';

export class VscodeSecretStore implements SecretStore {
  constructor(private readonly storage: vscode.SecretStorage) {}
  private key(source: string, field: SecretField): string {
    return `kimball.source.${source}.${field}`;
  }
  get(source: string, field: SecretField): Promise<string | undefined> {
    return Promise.resolve(this.storage.get(this.key(source, field)));
  }
  set(source: string, field: SecretField, value: string): Promise<void> {
    return Promise.resolve(this.storage.store(this.key(source, field), value));
  }
  delete(source: string, field: SecretField): Promise<void> {
    return Promise.resolve(this.storage.delete(this.key(source, field)));
  }
}

export class KimballSession implements vscode.Disposable {
  readonly paths: ProjectPaths;
  readonly secrets: VscodeSecretStore;
  /** The open (or opening) warehouse; undefined until first use and after a reset. */
  private opening: Promise<Warehouse> | undefined;
  /** The last reset's close: the next open waits for it. */
  private closing: Promise<void> = Promise.resolve();
  /** The settings the warehouse was opened with, to tell a real change from a rewrite of the same file. */
  private whSettings: string | undefined;
  private readonly changed = new vscode.EventEmitter<ChangeKind>();
  readonly onDidChange = this.changed.event;

  constructor(
    readonly root: string,
    readonly log: vscode.LogOutputChannel,
    private readonly context: vscode.ExtensionContext,
  ) {
    this.paths = projectPaths(root);
    this.secrets = new VscodeSecretStore(context.secrets);
  }

  get hasProject(): boolean {
    return isProject(this.root);
  }

  fire(kind: ChangeKind): void {
    this.changed.fire(kind);
  }

  logger(): Logger {
    return {
      info: (m) => this.log.info(m),
      warn: (m) => this.log.warn(m),
      error: (m) => this.log.error(m),
      debug: (m) => this.log.debug(m),
    };
  }

  /**
   * The warehouse, opened on first use with the current settings. Concurrent first uses (a command and a
   * tree refresh) share one open: two engines on one embedded data directory fight over its lock.
   */
  warehouse(): Promise<Warehouse> {
    this.opening ??= this.open().catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  private async open(): Promise<Warehouse> {
    // A warehouse being closed must release the data directory before the next one opens it.
    await this.closing;
    const project = loadProject(this.root);
    const settings = resolveWarehouseSettings(this.paths, project, await this.overrides());
    const wh = openWarehouse(settings);
    this.whSettings = JSON.stringify(settings);
    this.log.info(`Warehouse: ${settings.mode}${settings.mode === 'server' ? ` ${settings.url}` : ` ${settings.path}`}`);
    return wh;
  }

  async coreContext(): Promise<CoreContext> {
    return {
      paths: this.paths,
      project: loadProject(this.root),
      warehouse: await this.warehouse(),
      secrets: this.secrets,
      log: this.logger(),
    };
  }

  /**
   * Drop the open warehouse only if the settings it was opened with changed. A rewrite of the project file
   * that keeps them (Initialize Project writes it, then uses the warehouse) must not close it mid-use.
   */
  async reopenIfSettingsChanged(): Promise<void> {
    if (!this.opening) return;
    let now: string | undefined;
    try {
      now = JSON.stringify(resolveWarehouseSettings(this.paths, loadProject(this.root), await this.overrides()));
    } catch {
      now = undefined; // unreadable project file: reopen, so the next use reports the problem
    }
    if (now !== this.whSettings) await this.resetWarehouse();
  }

  /** Drop the open warehouse so the next use picks up changed settings. */
  async resetWarehouse(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    if (opening) {
      this.closing = opening.then(
        (wh) => wh.close(),
        () => undefined,
      ).catch(() => undefined);
    }
    await this.closing;
  }

  setWarehousePassword(password: string): Thenable<void> {
    return this.context.secrets.store(WAREHOUSE_PASSWORD_KEY, password);
  }

  private async overrides(): Promise<WarehouseOverrides> {
    const c = vscode.workspace.getConfiguration('kimball.warehouse');
    const explicit = <T>(key: string): T | undefined => {
      const i = c.inspect<T>(key);
      return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    };
    const databases = {
      bronze: explicit<string>('bronzeDatabase'),
      silver: explicit<string>('silverDatabase'),
      gold: explicit<string>('goldDatabase'),
      meta: explicit<string>('metaDatabase'),
    };
    return {
      mode: explicit<WarehouseMode>('mode'),
      url: explicit<string>('url') || undefined,
      username: explicit<string>('username') || undefined,
      cluster: explicit<string>('cluster') || undefined,
      databases: Object.fromEntries(Object.entries(databases).filter(([, v]) => !!v)),
      password: await this.context.secrets.get(WAREHOUSE_PASSWORD_KEY),
    };
  }

  dispose(): void {
    void this.resetWarehouse();
    this.changed.dispose();
  }
}
