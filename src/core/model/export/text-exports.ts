/**
 * Text exports of models: Mermaid `erDiagram` (plain `.mmd` and a Markdown
 * page with a ```mermaid block) and DBML. Pure functions of the model.
 */
import type { ErdModel, StarModel } from '../model-types';
import { starTables, type ExportTable } from './tables';

/** Mermaid attribute types and names are single words: `Decimal(18,2)` -> `Decimal_18_2`. */
function word(s: string): string {
  const w = s.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Za-z]/.test(w) ? w : `x_${w}`;
}

function entityRef(name: string): string {
  return /^[A-Za-z][A-Za-z0-9_-]*$/.test(name) ? name : `"${name.replace(/["%\r\n\v\b\\]/g, '_')}"`;
}

const label = (s: string) => `"${s.replace(/"/g, "'")}"`;

function mermaidTables(tables: ExportTable[], refs: { from: string; to: string; many: boolean; optional: boolean; label: string }[]): string {
  const lines = ['erDiagram'];
  for (const t of tables) {
    lines.push(`  ${entityRef(t.name)} {`);
    for (const c of t.columns) {
      const keys = [c.pk ? 'PK' : '', c.fk ? 'FK' : ''].filter(Boolean).join(', ');
      lines.push(`    ${word(c.type)} ${word(c.name)}${keys ? ` ${keys}` : ''}${c.name !== word(c.name) ? ` ${label(c.name)}` : ''}`);
    }
    lines.push('  }');
  }
  for (const r of refs) {
    // The many side on the left: `}o` zero or more (`|o` zero or one for one-to-one); the referenced side `||` or `o|` when optional.
    const left = r.many ? '}o' : '|o';
    const right = r.optional ? 'o|' : '||';
    lines.push(`  ${entityRef(r.from)} ${left}--${right} ${entityRef(r.to)} : ${label(r.label)}`);
  }
  return lines.join('\n') + '\n';
}

export function erdToMermaid(m: ErdModel): string {
  const fks = new Map<string, Set<string>>();
  for (const r of m.relationships) for (const c of r.from.columns) fks.set(r.from.entity, (fks.get(r.from.entity) ?? new Set()).add(c));
  const tables: ExportTable[] = m.entities.map((e) => ({
    name: e.name,
    columns: e.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, pk: e.primaryKey.includes(c.name), fk: fks.get(e.name)?.has(c.name) ?? false })),
  }));
  const refs = m.relationships.map((r) => ({
    from: r.from.entity,
    to: r.to.entity,
    many: r.cardinality === 'many-to-one',
    optional: r.optional,
    label: r.from.columns.join(', '),
  }));
  return mermaidTables(tables, refs);
}

export function starToMermaid(m: StarModel, erd?: ErdModel): string {
  const { tables, refs } = starTables(m, erd);
  return mermaidTables(
    tables,
    refs.map((r) => ({ from: r.from, to: r.to, many: true, optional: false, label: r.role })),
  );
}

/** A Markdown page showing the diagram (VS Code's Markdown preview and GitHub render ```mermaid blocks). */
export function mermaidMarkdown(title: string, mermaid: string, kind: 'ERD' | 'star schema'): string {
  return `# ${title} (${kind})\n\n\`\`\`mermaid\n${mermaid}\`\`\`\n`;
}

// ---------------------------------------------------------------------------------------------
// DBML

function dbmlName(s: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? s : `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function dbmlType(t: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*(\([0-9, ]*\))?$/.test(t) ? t : `"${t.replace(/"/g, "'")}"`;
}

const dbmlNote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r?\n/g, ' ')}'`;

function dbmlTables(tables: ExportTable[]): string[] {
  const out: string[] = [];
  for (const t of tables) {
    out.push(`Table ${dbmlName(t.name)} {`);
    const pk = t.columns.filter((c) => c.pk);
    for (const c of t.columns) {
      const settings = [pk.length === 1 && c.pk ? 'pk' : '', c.nullable ? 'null' : 'not null', c.note ? `note: ${dbmlNote(c.note)}` : ''].filter(Boolean);
      out.push(`  ${dbmlName(c.name)} ${dbmlType(c.type)}${settings.length ? ` [${settings.join(', ')}]` : ''}`);
    }
    if (pk.length > 1) out.push('', '  indexes {', `    (${pk.map((c) => dbmlName(c.name)).join(', ')}) [pk]`, '  }');
    if (t.note) out.push('', `  Note: ${dbmlNote(t.note)}`);
    out.push('}', '');
  }
  return out;
}

const dbmlCols = (table: string, cols: string[]) =>
  cols.length === 1 ? `${dbmlName(table)}.${dbmlName(cols[0])}` : `${dbmlName(table)}.(${cols.map(dbmlName).join(', ')})`;

export function erdToDbml(m: ErdModel): string {
  const tables: ExportTable[] = m.entities.map((e) => ({
    name: e.name,
    note: e.description ?? (e.sourceTable ? `from bronze ${e.sourceTable}` : e.derivedFrom ? `derived from ${e.derivedFrom}` : undefined),
    columns: e.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, pk: e.primaryKey.includes(c.name), fk: false, note: c.description })),
  }));
  const out = [`// ${m.name}: silver ERD exported by Kimball`, '', ...dbmlTables(tables)];
  for (const r of m.relationships) {
    const op = r.cardinality === 'one-to-one' ? '-' : '>';
    out.push(`Ref ${dbmlName(r.name)}: ${dbmlCols(r.from.entity, r.from.columns)} ${op} ${dbmlCols(r.to.entity, r.to.columns)}`);
  }
  if (m.groups.length) out.push('');
  for (const g of m.groups) out.push(`TableGroup ${dbmlName(g.name)} {`, ...g.entities.map((e) => `  ${dbmlName(e)}`), '}', '');
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

export function starToDbml(m: StarModel, erd?: ErdModel): string {
  const { tables, refs } = starTables(m, erd);
  const out = [`// ${m.name}: gold star schema exported by Kimball`, '', ...dbmlTables(tables)];
  for (const r of refs) out.push(`Ref: ${dbmlCols(r.from, [r.column])} > ${dbmlCols(r.to, [r.toColumn])}`);
  return out.join('\n').replace(/\n+$/, '') + '\n';
}
