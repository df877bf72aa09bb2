import { EmbeddedWarehouse } from './embedded';
import { ServerWarehouse } from './server';
import { WarehouseError, type Warehouse, type WarehouseSettings } from './warehouse';

/** Open the configured warehouse. Nothing starts until the first query. */
export function openWarehouse(settings: WarehouseSettings): Warehouse {
  if (settings.mode === 'server') {
    if (!settings.url) throw new WarehouseError('Server mode needs a URL (kimball.warehouse.url or "url" in .kimball/project.json).');
    return new ServerWarehouse({
      url: settings.url,
      username: settings.username,
      password: settings.password,
      databases: settings.databases,
      cluster: settings.cluster,
    });
  }
  if (!settings.path) throw new WarehouseError('Embedded mode needs a data directory.');
  return new EmbeddedWarehouse(settings.path, settings.databases);
}
