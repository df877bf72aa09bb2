export * from './warehouse';
export * from './sql';
export { openWarehouse } from './open';
export { EmbeddedWarehouse } from './embedded';
export { ServerWarehouse } from './server';
export { ensureDatabases, listTables, listColumns, type TableInfo, type ColumnInfo } from './catalog-queries';
