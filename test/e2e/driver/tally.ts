/** Outcomes of both halves of the run, the figures measured, and the closing report. */
import type { InHostOutcome } from './inhost';

export class Tally {
  private passed: string[] = [];
  private failed: { title: string; error: string }[] = [];
  private skipped: { title: string; reason: string }[] = [];
  private readonly metrics = new Map<string, number>();

  pass(title: string): void {
    this.passed.push(title);
    console.log(`  ✓ ${title}`);
  }

  fail(title: string, error: string): void {
    this.failed.push({ title, error: clip(error) });
    console.log(`  ✗ ${title}\n      ${error.split('\n').join('\n      ')}`);
  }

  skip(title: string, reason: string): void {
    this.skipped.push({ title, reason });
    console.log(`  - SKIPPED ${title}: ${reason}`);
  }

  metric(name: string, value: number): void {
    this.metrics.set(name, value);
  }

  addInHost(o: InHostOutcome): void {
    if (o.result) {
      for (const t of o.result.passed) this.passed.push(`in-host: ${t}`);
      for (const f of o.result.failed) this.failed.push({ title: `in-host: ${f.title}`, error: clip(f.error) });
      for (const s of o.result.skipped) this.skipped.push({ title: `in-host: ${s.title}`, reason: s.reason });
      for (const [k, v] of Object.entries(o.result.metrics)) this.metric(`in-host ${k}`, v);
    }
    if (o.error) this.failed.push({ title: 'in-host suite', error: o.error });
    else if (o.exitCode !== 0 && (o.result?.failed.length ?? 0) === 0) {
      this.failed.push({ title: 'in-host suite', error: `exit code ${o.exitCode} with no failed test recorded` });
    }
  }

  /** Print everything and return the process exit code. */
  report(): number {
    console.log('\n==== e2e summary ====');
    if (this.failed.length > 0) {
      console.log('FAILED:');
      for (const f of this.failed) console.log(`  ✗ ${f.title}\n      ${f.error.split('\n').join('\n      ')}`);
    }
    if (this.skipped.length > 0) {
      console.log('SKIPPED (phase not landed yet, or its prerequisite did not run):');
      for (const s of this.skipped) console.log(`  - ${s.title}: ${s.reason}`);
    }
    console.log('MEASURED:');
    for (const [k, v] of this.metrics) console.log(`  ${k}: ${v}`);
    console.log(`${this.passed.length} passed, ${this.failed.length} failed, ${this.skipped.length} skipped`);
    return this.failed.length > 0 ? 1 : 0;
  }
}

/** Errors that quote whole SQL statements would bury the summary: keep the head and say how much was cut. */
function clip(error: string, max = 1500): string {
  return error.length <= max ? error : `${error.slice(0, max)}… (${error.length - max} more characters)`;
}
