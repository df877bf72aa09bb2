/**
 * A bounded async queue of byte chunks: producers await `push` while it is
 * full, one consumer iterates it. Keeps streamed inserts memory-bounded.
 */
export class ChunkQueue implements AsyncIterable<Buffer> {
  private readonly items: Buffer[] = [];
  private closed = false;
  private error: Error | undefined;
  private wakeConsumer: (() => void) | undefined;
  private readonly waitingProducers: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  async push(chunk: Buffer): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.waitingProducers.push(resolve));
    }
    if (this.closed) throw this.error ?? new Error('The queue is closed.');
    this.items.push(chunk);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
    this.releaseProducers();
  }

  fail(error: Error): void {
    this.error = error;
    this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        this.releaseProducers();
        yield next;
        continue;
      }
      if (this.error) throw this.error;
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }

  private wake(): void {
    const w = this.wakeConsumer;
    this.wakeConsumer = undefined;
    w?.();
  }

  private releaseProducers(): void {
    for (const p of this.waitingProducers.splice(0)) p();
  }
}
