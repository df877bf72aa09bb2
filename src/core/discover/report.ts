/** A table's profile as Markdown: per-column statistics, types, quality findings, keys and relationships. */
import type { Catalog, CatalogColumn, CatalogTable } from './catalog-types';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').slice(0, 80);
const fmt = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : (Math.round(n * 100) / 100).toLocaleString('en-US'));

function columnSection(c: CatalogColumn): string[] {
  const p = c.profile;
  const out = [`### ${cell(c.name)}`, ''];
  out.push(
    `- **Type:** \`${c.inferred.type}${c.inferred.nullable ? ' (nullable)' : ''}\` via \`${c.inferred.expression}\` — converts ${fmt(c.inferred.convertRate * 100)}% of values, confidence ${c.inferred.confidence}`,
  );
  if (c.inferred.format) out.push(`- **Format:** \`${c.inferred.format}\``);
  if (c.inferred.notes.length) out.push(`- **Why:** ${c.inferred.notes.map(cell).join('; ')}`);
  out.push(`- **Values:** ${fmt(p.rows)} rows, ${fmt(p.empty)} empty, ${fmt(p.distinct)} distinct${p.distinctExact ? ' (exact)' : ' (estimated)'}, length ${p.minLength}–${p.maxLength}`);
  if (c.missingTokens?.length) out.push(`- **Missing values:** empty and ${c.missingTokens.map((t) => `\`${cell(t)}\``).join(', ')} (NULL in silver)`);
  if (p.numeric) {
    const q = Object.entries(p.numeric.quantiles).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    out.push(`- **Numbers:** min ${fmt(p.numeric.min)}, max ${fmt(p.numeric.max)}, mean ${fmt(p.numeric.mean)}, stddev ${fmt(p.numeric.stddev)}; ${q}`);
  }
  if (p.topValues.length) out.push(`- **Top values:** ${p.topValues.map((t) => `\`${cell(t.value)}\` (${fmt(t.count)})`).join(', ')}`);
  if (c.quality) {
    out.push(`- **Quality:** ${c.quality.score}/100`);
    for (const d of c.quality.dimensions) {
      const extra = [...d.reasons, ...(d.samples.length ? [`e.g. ${d.samples.map((s) => `\`${cell(s)}\``).join(', ')}`] : []), ...(d.advice ? [`→ ${d.advice}`] : [])];
      out.push(`  - ${d.name} ${d.score}${extra.length ? ': ' + extra.join('; ') : ''}`);
    }
  }
  out.push('');
  return out;
}

export function profileMarkdown(catalog: Catalog, t: CatalogTable): string {
  const out = [`# ${cell(t.name)}`, ''];
  out.push(`${fmt(t.rowCount)} rows, ${t.columns.length} columns${t.sampled ? ' — statistics from a sample; keys and relationships verified on all rows' : ''}.`, '');
  out.push(t.quality ? `**Quality ${t.quality.score}/100** — ${t.quality.dimensions.map((d) => `${d.name} ${d.score}`).join(', ')}` : `**No quality score:** ${t.qualityNote ?? ''}`, '');
  out.push('## Keys', '');
  if (t.keys.length === 0) out.push('No unique, non-empty column or combination of up to 3 columns.', '');
  for (const k of t.keys) out.push(`- ${k.kind === 'primary' ? '**primary**' : 'candidate'} (${k.columns.map(cell).join(', ')}) — confidence ${k.confidence}; ${k.evidence.join('; ')}`);
  const rels = catalog.relationships.filter((r) => r.fromTable === t.name || r.toTable === t.name);
  out.push('', '## Relationships', '');
  if (rels.length === 0) out.push('None found.');
  for (const r of rels) {
    out.push(`- ${cell(r.fromTable)}.${r.fromColumns.map(cell).join(',')} → ${cell(r.toTable)}.${r.toColumns.map(cell).join(',')} — ${r.status}, confidence ${r.confidence}, containment ${r.evidence.containment}, ${r.evidence.orphans} orphan(s), name similarity ${r.evidence.nameSimilarity}`);
  }
  if (t.dependencies.length) {
    out.push('', '## Functional dependencies', '');
    for (const d of t.dependencies) out.push(`- ${d.from.map(cell).join(', ')} → ${d.to.map(cell).join(', ')} (${fmt(d.fromDistinct)} values)`);
  }
  out.push('', '## Columns', '');
  for (const c of t.columns) out.push(...columnSection(c));
  return out.join('\n');
}
