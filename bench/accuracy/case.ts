/**
 * `npm run bench -- accuracy`: the accuracy corpus (bench/accuracy/run.ts) as a bench case, every part
 * (dev, holdout, synthetic) printed separately. Builds the corpus first when it is not built
 * (bench/accuracy/install.sh installs the Debian packages that needs). Values are shares, no baseline:
 * it is a measurement, so low scores never fail it; a dataset that cannot be built or loaded does.
 */
import type { BenchCase, BenchResult } from '../harness';
import { runAccuracy } from './run';

const accuracy: BenchCase = {
  name: 'accuracy',
  description: 'Discovery and model accuracy on real datasets with documented keys (dev, holdout) and the synthetic schemas',
  async run(): Promise<BenchResult[]> {
    const report = await runAccuracy({ parts: ['dev', 'holdout', 'synthetic'], log: (l) => process.stderr.write(`${l}\n`) });
    if (report.failed.length) throw new Error(`accuracy: ${report.failed.length} dataset(s) could not be loaded: ${report.failed.join('; ')}`);
    return report.results;
  },
};

export default accuracy;
