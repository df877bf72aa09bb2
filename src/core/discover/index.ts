/** Discover: profiling, type inference, quality, keys and relationships -> the catalog. */
export * from './catalog-types';
export { discover, bronzeTables, type DiscoverOptions } from './discover';
export { readCatalog, readCatalogIfAny, writeCatalog, setRelationshipStatus, setPrimaryKey, setTypeOverride, setRename, setMissingTokens, columnKey } from './catalog';
export { inferType, TYPE_THRESHOLD } from './infer';
export { applyExpression } from './validate';
