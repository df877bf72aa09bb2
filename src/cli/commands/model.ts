/** `kimball model ...`: propose, inspect and export the ERD and star schema files. Needs no warehouse. */
import type { Command } from 'commander';
import { relative } from 'node:path';
import { loadProject } from '../../core/project/project';
import { projectPaths } from '../../core/project/paths';
import { readErd, readStar, listModels } from '../../core/model/files';
import { EXPORT_FORMATS, isExportFormat } from '../../core/model/export';
import { decideDecomposition, designStarFile, detectHierarchiesFile, exportModelFile, generateErdFile } from '../../core/model/service';
import { CliError, printJson, workspaceRoot, type GlobalOptions } from '../session';

function workspace(o: GlobalOptions) {
  const root = workspaceRoot(o);
  return { root, paths: projectPaths(root), project: loadProject(root) };
}

/** Edits a proposal changed or dropped because they no longer fit: one line each (they are in the file's notes too). */
function printNotes(notes: string[]): void {
  for (const n of notes) process.stdout.write(`  note: ${n}\n`);
}

export function registerModelCommands(program: Command, globals: () => GlobalOptions): void {
  const model = program.command('model').description('ERD (silver) and star schema (gold) models in models/');

  model
    .command('erd')
    .description('Propose the ERD from the catalog (models/<name>.erd.json); positions and decisions already in the file are kept')
    .option('--name <name>', 'model name (default: the project name, else "warehouse")')
    .action((opts: { name?: string }) => {
      const o = globals();
      const { root, paths, project } = workspace(o);
      const r = generateErdFile(paths, project, opts.name);
      if (o.json) return printJson({ file: relative(root, r.file), entities: r.entities, relationships: r.relationships, decompositions: r.model.decompositions, skipped: r.skipped, notes: r.notes });
      process.stdout.write(
        `${r.kept ? 'Updated' : 'Wrote'} ${relative(root, r.file)}: ${r.entities} entities, ${r.relationships} relationships, ${r.model.groups.length} subject areas.\n`,
      );
      for (const d of r.model.decompositions.filter((x) => x.status === 'proposed')) process.stdout.write(`  proposed ${d.id}: ${d.reason}\n`);
      for (const s of r.skipped) process.stdout.write(`  skipped ${s.table}: ${s.reason}\n`);
      printNotes(r.notes);
    });

  for (const [verb, accept] of [['accept', true], ['reject', false]] as const) {
    model
      .command(verb)
      .description(accept ? 'Accept a proposed decomposition of the ERD: split the columns out (or drop redundant copies)' : 'Reject a proposed decomposition of the ERD')
      .argument('<id>', 'decomposition id, e.g. order_lines:product_code (see kimball model erd)')
      .option('--name <name>', 'model name')
      .action((id: string, opts: { name?: string }) => {
        const o = globals();
        const { root, paths, project } = workspace(o);
        const r = decideDecomposition(paths, project, id, accept, opts.name);
        const d = r.model.decompositions.find((x) => x.id === id);
        if (o.json) return printJson({ file: relative(root, r.file), decomposition: d });
        process.stdout.write(`${relative(root, r.file)}: decomposition ${id} ${d?.status}.\n`);
      });
  }

  model
    .command('star')
    .description('Design the star schema from the ERD and the catalog (models/<name>.star.json)')
    .option('--name <name>', 'model name')
    .action((opts: { name?: string }) => {
      const o = globals();
      const { root, paths, project } = workspace(o);
      const r = designStarFile(paths, project, opts.name);
      if (o.json) return printJson({ file: relative(root, r.file), facts: r.model.facts, dimensions: r.model.dimensions, notes: r.notes });
      process.stdout.write(`${r.kept ? 'Updated' : 'Wrote'} ${relative(root, r.file)}\n`);
      for (const f of r.model.facts) {
        process.stdout.write(`  fact ${f.name}: ${f.grainDescription} Measures: ${f.measures.map((m) => `${m.name} (${m.aggregation}, ${m.additivity})`).join(', ') || 'none'}.\n`);
        process.stdout.write(`    ${f.reason}\n`);
      }
      for (const d of r.model.dimensions) {
        process.stdout.write(`  dimension ${d.name}: SCD ${d.scdType}${d.collapsed.length ? `, collapsed ${d.collapsed.join(', ')}` : ''}. ${d.reason}\n`);
      }
      printNotes(r.notes);
    });

  model
    .command('hierarchies')
    .description('Detect hierarchies from exact dependencies in the data and add them to the star schema')
    .option('--name <name>', 'model name')
    .action((opts: { name?: string }) => {
      const o = globals();
      const { root, paths, project } = workspace(o);
      const r = detectHierarchiesFile(paths, project, opts.name);
      if (o.json) return printJson({ file: relative(root, r.file), added: r.added, dimensions: r.model.dimensions.map((d) => ({ name: d.name, hierarchies: d.hierarchies })), notes: r.notes });
      process.stdout.write(`${relative(root, r.file)}: ${r.added.length} hierarchies added.\n`);
      for (const d of r.model.dimensions)
        for (const h of d.hierarchies) process.stdout.write(`  ${d.name}.${h.name}: ${h.levels.map((l) => `${l.name} (${l.cardinality || 'unknown'})`).join(' > ')}\n`);
      printNotes(r.notes);
    });

  model
    .command('export')
    .description('Export a model file as Mermaid (.mmd + .md), DBML, ClickHouse DDL, SVG or PNG, next to it unless --out')
    .argument('<file>', 'a models/*.erd.json or *.star.json file')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .option('--out <path>', 'output file')
    .option('--database <name>', 'database for DDL (default: silver for an ERD, gold for a star)')
    .action((file: string, opts: { format: string; out?: string; database?: string }) => {
      const o = globals();
      if (!isExportFormat(opts.format)) throw new CliError(`unknown export format "${opts.format}": use ${EXPORT_FORMATS.join(', ')}`);
      const { root, paths, project } = workspace(o);
      const written = exportModelFile(paths, project, file, opts.format, { out: opts.out, database: opts.database });
      if (o.json) return printJson({ files: written.map((f) => relative(root, f)) });
      for (const f of written) process.stdout.write(`Wrote ${relative(root, f)}\n`);
    });

  model
    .command('list')
    .description('List the model files')
    .action(() => {
      const o = globals();
      const { root, paths } = workspace(o);
      const rows = listModels(paths).map((m) => {
        try {
          if (m.kind === 'erd') {
            const e = readErd(m.file, root);
            return { ...m, file: relative(root, m.file), summary: `${e.entities.length} entities, ${e.relationships.length} relationships` };
          }
          const s = readStar(m.file, root);
          return { ...m, file: relative(root, m.file), summary: `${s.facts.length} facts, ${s.dimensions.length} dimensions` };
        } catch (err) {
          return { ...m, file: relative(root, m.file), summary: `invalid: ${(err as Error).message}` };
        }
      });
      if (o.json) return printJson(rows);
      if (rows.length === 0) process.stdout.write('No models yet: run kimball model erd.\n');
      for (const r of rows) process.stdout.write(`${r.file}\t${r.kind}\t${r.summary}\n`);
    });
}
