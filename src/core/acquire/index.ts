export { acquire, describeResult, type AcquireOptions } from './acquire';
export { loadObject, type LoadResult, type LoadOptions } from './load';
export { bronzeTableName, columnNames, sanitizeName, LINEAGE_COLUMNS } from './names';
export { lastLoads, ensureLoadTables, type LastLoad, type LoadStatus } from './meta';
export { readDeclaredConstraints, type DeclaredConstraint } from './constraints';
