/**
 * The Airflow 2 DAG of a manifest: one task per step with the manifest's
 * dependencies, SQL read from the generated files (template_searchpath is
 * build/), checks as SQLCheckOperator tasks (a falsy `ok` fails the task), the
 * ClickHouse connection id as a DAG param (templated into `conn_id`; SQLCheckOperator
 * does not template `conn_id` in every provider version, so the DAG declares a
 * one-line subclass that does).
 */
import type { Manifest, ManifestStep } from './build-types';
import { fileSafe } from './ddl';
import { topologicalOrder } from './graph';

export interface DagOptions {
  /** Airflow schedule, default "@daily". */
  schedule?: string;
  /** Default ClickHouse connection id, default "clickhouse_default". */
  connectionId?: string;
  retries?: number;
}

export const dagFile = (name: string): string => `airflow/${fileSafe(name)}_dag.py`;

/** A Python string literal (JSON string escapes are valid Python escapes). */
const py = (s: string): string => JSON.stringify(s);

/** Airflow task ids allow letters, digits, '-', '_' and '.'. */
export const taskId = (stepId: string): string => stepId.replace(/[^A-Za-z0-9_.-]/g, '_');

export function airflowDag(m: Manifest, o: DagOptions = {}): string {
  const steps = topologicalOrder(m.steps);
  const lines = [
    `"""Airflow DAG for the Kimball pipeline ${py(m.name).slice(1, -1)}: generated from build/manifest.json; edit the model and rebuild instead."""`,
    'from datetime import datetime, timedelta',
    'from pathlib import Path',
    '',
    'from airflow import DAG',
    'from airflow.models.param import Param',
    'from airflow.providers.common.sql.operators.sql import SQLCheckOperator, SQLExecuteQueryOperator',
    '',
    '# SQL files are addressed relative to build/ (this file lives in build/airflow/).',
    'BUILD_DIR = str(Path(__file__).resolve().parent.parent)',
    '',
    '',
    'class KimballCheckOperator(SQLCheckOperator):',
    '    """SQLCheckOperator with a templated conn_id, like SQLExecuteQueryOperator."""',
    '',
    '    template_fields = tuple(dict.fromkeys((*SQLCheckOperator.template_fields, "conn_id")))',
    '',
    '',
    'default_args = {',
    '    "owner": "kimball",',
    `    "retries": ${Math.max(0, Math.floor(o.retries ?? 2))},`,
    '    "retry_delay": timedelta(minutes=5),',
    '}',
    '',
    'with DAG(',
    `    dag_id=${py(fileSafe(m.name))},`,
    `    description=${py(`Kimball pipeline ${m.name}`)},`,
    `    schedule=${py(o.schedule ?? '@daily')},`,
    '    start_date=datetime(2024, 1, 1),',
    '    catchup=False,',
    '    max_active_runs=1,',
    '    default_args=default_args,',
    '    template_searchpath=[BUILD_DIR],',
    `    params={"clickhouse_conn_id": Param(${py(o.connectionId ?? 'clickhouse_default')}, type="string", description="Airflow connection id of the ClickHouse warehouse")},`,
    '    tags=["kimball"],',
    ') as dag:',
    '    tasks = {}',
    ...steps.map((s) => task(s)),
    '',
    ...steps.flatMap((s) => s.dependsOn.map((d) => `    tasks[${py(d)}] >> tasks[${py(s.id)}]`)),
    '',
  ];
  return lines.join('\n');
}

function task(s: ManifestStep): string {
  const common = `task_id=${py(taskId(s.id))}, conn_id="{{ params.clickhouse_conn_id }}", sql=${py(s.file)}`;
  const doc = `doc_md=${py(s.description)}`;
  return s.layer === 'check'
    ? `    tasks[${py(s.id)}] = KimballCheckOperator(${common}, ${doc})`
    : `    tasks[${py(s.id)}] = SQLExecuteQueryOperator(${common}, split_statements=True, ${doc})`;
}
