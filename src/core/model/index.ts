/** Model phase: ERD and star proposals, hierarchies, layout, files and exports. */
export * from './model-types';
export * from './names';
export { proposeErd, applyDecomposition, rejectDecomposition, subjectAreas, castExpression, RELATIONSHIP_CONFIDENCE_THRESHOLD, type ErdProposalOptions } from './erd-proposal';
export { proposeStar, mergeStar, type StarSources, classifyEntity, classifyAll, measureKind, dateDimension, FACT_SCORE_THRESHOLD, type Classification, type StarProposalOptions } from './star-proposal';
export { mergeErd } from './merge';
export { detectHierarchies, fitStar, type HierarchyReport } from './hierarchies';
export { layoutErd, layoutStar, erdBoxes, starBoxes, starRows, boxSize, borderPoint, layeredLayout, BOX, type Box, type LayoutOptions } from './layout';
export { validateErd, validateStar, validateStarColumns } from './validate';
export { reconcileErd, reconcileStar } from './reconcile';
export { withNotes, freshNotes } from './notes';
export { route, drawRoute, columnPorts, rowPorts, sidePorts, laneOffsets, pathData, midpoint, labelPlace, ROUTING, type Port, type Routed, type DrawnRoute, type LabelPlace } from './routing';
export * from './files';
export * from './export';
export * from './service';
