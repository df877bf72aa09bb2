/** The generated Airflow DAG compiles and its task graph (parsed with Python's ast) is the manifest's. */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePipeline, writePipeline } from '../../../src/core/build/generate';
import { dagFile, taskId } from '../../../src/core/build/airflow';
import { projectPaths } from '../../../src/core/project/paths';
import { DEFAULT_DATABASES } from '../../../src/core/warehouse/warehouse';
import { retailModels, tpchModels } from '../../helpers/build-fixtures';
import { removeDir, tempDir } from '../../helpers/warehouse';

/** Reads the DAG with ast: tasks[...] = Operator(task_id=..., sql=..., conn_id=...) and tasks[a] >> tasks[b]. */
const PARSER = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
tasks, edges, dag = {}, [], {}
def key(n):
    assert isinstance(n, ast.Subscript) and n.value.id == "tasks"
    return n.slice.value
for node in ast.walk(tree):
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript) and isinstance(node.value, ast.Call):
        kw = {k.arg: ast.literal_eval(k.value) for k in node.value.keywords}
        tasks[key(node.targets[0])] = {"operator": node.value.func.id, **kw}
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.BinOp) and isinstance(node.value.op, ast.RShift):
        edges.append([key(node.value.left), key(node.value.right)])
    elif isinstance(node, ast.ClassDef):
        dag["check_base"] = node.bases[0].id
    elif isinstance(node, ast.ImportFrom) and node.module == "airflow.providers.common.sql.operators.sql":
        dag["imports"] = sorted(a.name for a in node.names)
    elif isinstance(node, ast.With):
        call = node.items[0].context_expr
        for k in call.keywords:
            if k.arg in ("dag_id", "schedule", "catchup"):
                dag[k.arg] = ast.literal_eval(k.value)
            if k.arg == "params":
                dag["conn_default"] = ast.literal_eval(k.value.values[0].args[0])
print(json.dumps({"tasks": tasks, "edges": edges, "dag": dag}))
`;

interface Parsed {
  tasks: Record<string, { operator: string; task_id: string; sql: string; conn_id: string }>;
  edges: [string, string][];
  dag: Record<string, unknown>;
}

describe('Airflow DAG', () => {
  const dir = tempDir('kimball-dag-');
  after(() => removeDir(dir));

  for (const [name, models] of [
    ['retail', retailModels()],
    ['tpch', tpchModels()],
  ] as const) {
    test(`${name}: compiles and matches the manifest`, () => {
      const paths = projectPaths(join(dir, name));
      const p = generatePipeline({ name, ...models, databases: DEFAULT_DATABASES, generatedAt: 'x' });
      writePipeline(paths, p, { schedule: '0 3 * * *', connectionId: 'ch_prod' });
      const file = join(paths.buildDir, dagFile(name));
      const compiled = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
      assert.equal(compiled.status, 0, compiled.stderr);
      const parser = join(dir, 'parse_dag.py');
      writeFileSync(parser, PARSER);
      const r = spawnSync('python3', [parser, file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const parsed = JSON.parse(r.stdout) as Parsed;
      assert.deepEqual(Object.keys(parsed.tasks).sort(), p.manifest.steps.map((s) => s.id).sort());
      for (const s of p.manifest.steps) {
        const t = parsed.tasks[s.id];
        assert.equal(t.task_id, taskId(s.id));
        assert.equal(t.sql, s.file);
        assert.equal(t.conn_id, '{{ params.clickhouse_conn_id }}');
        assert.equal(t.operator, s.layer === 'check' ? 'KimballCheckOperator' : 'SQLExecuteQueryOperator');
      }
      const want = p.manifest.steps.flatMap((s) => s.dependsOn.map((d) => `${d} -> ${s.id}`)).sort();
      assert.deepEqual(parsed.edges.map(([a, b]) => `${a} -> ${b}`).sort(), want);
      assert.deepEqual(parsed.dag, {
        dag_id: name,
        schedule: '0 3 * * *',
        catchup: false,
        conn_default: 'ch_prod',
        check_base: 'SQLCheckOperator',
        imports: ['SQLCheckOperator', 'SQLExecuteQueryOperator'],
      });
    });
  }
});
