/**
 * Runs a benchmark script's `main` and exits: 0 once it is done (the processes it started may still hold
 * handles), 1 with the error printed if it failed.
 */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
