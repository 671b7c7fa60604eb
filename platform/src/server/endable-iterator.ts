/** An async iterator that its owner can end early with one last value (e.g. a coded error result). */
export interface Endable<T> extends AsyncIterableIterator<T> {
  /** Yields `final` next (even while a `next()` is waiting), then ends; the source is returned at once. */
  end(final: T): void;
}

const ENDED = Symbol('ended');

/** Wraps `source` so that `end(final)` interrupts a waiting `next()`; `return()` reaches the source at once. */
export function endable<T>(source: AsyncIterator<T>): Endable<T> {
  let final: { value: T } | undefined;
  let finished = false;
  let wake: () => void = () => undefined;
  const ended = new Promise<typeof ENDED>((resolve) => (wake = () => resolve(ENDED)));
  const stopSource = () => void Promise.resolve(source.return?.()).catch(() => undefined);

  const iterator: Endable<T> = {
    async next(): Promise<IteratorResult<T>> {
      if (finished) return { done: true, value: undefined };
      if (final) {
        finished = true;
        return { done: false, value: final.value };
      }
      const result = await Promise.race([source.next(), ended]);
      // end() or return() may have run while this waited.
      const last = final as { value: T } | undefined;
      if (result === ENDED || last || finished) {
        finished = true;
        return last ? { done: false, value: last.value } : { done: true, value: undefined };
      }
      if (result.done) finished = true;
      return result;
    },
    async return(): Promise<IteratorResult<T>> {
      if (!finished) {
        finished = true;
        wake();
        stopSource();
      }
      return { done: true, value: undefined };
    },
    async throw(): Promise<IteratorResult<T>> {
      return iterator.return!();
    },
    end(value: T): void {
      if (finished || final) return;
      final = { value };
      wake();
      stopSource();
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
