/**
 * The small part of mocha the in-host suite uses, typed here instead of pulling @types/mocha, whose global
 * `describe`/`it`/`test` declarations would leak into every other test file of the project.
 * Test files import these wrappers; they forward at call time to the functions mocha puts on globalThis
 * when the suite is loaded (`pre-require`), so they work only inside index.ts's run().
 */
export interface TestContext {
  /** Marks the running test pending (skipped) and stops it. */
  skip(): never;
  timeout(ms: number): void;
  readonly test?: { fullTitle(): string };
  readonly currentTest?: { fullTitle(): string };
}

export type TestFn = (this: TestContext) => void | Promise<void>;

interface MochaGlobals {
  describe(title: string, fn: () => void): void;
  it(title: string, fn: TestFn): void;
  before(fn: TestFn): void;
  after(fn: TestFn): void;
}

const g = (): MochaGlobals => globalThis as unknown as MochaGlobals;

export const describe = (title: string, fn: () => void): void => g().describe(title, fn);
export const it = (title: string, fn: TestFn): void => g().it(title, fn);
export const before = (fn: TestFn): void => g().before(fn);
export const after = (fn: TestFn): void => g().after(fn);

/** The mocha constructor and runner, as index.ts drives them. */
export interface MochaTest {
  fullTitle(): string;
  duration?: number;
}
export interface MochaRunner {
  on(event: 'pass' | 'pending', cb: (test: MochaTest) => void): MochaRunner;
  on(event: 'fail', cb: (test: MochaTest, err: unknown) => void): MochaRunner;
}
export interface MochaInstance {
  suite: { emit(event: 'pre-require', context: object, file: string, mocha: MochaInstance): void };
  run(done: (failures: number) => void): MochaRunner;
}
export type MochaConstructor = new (options: {
  ui: 'bdd';
  timeout: number;
  color: boolean;
  reporter: string;
}) => MochaInstance;
