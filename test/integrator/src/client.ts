// An integrator's program: starts a summary, waits for it to finish, then lists the key owner's latest jobs.
// Every call is typed by the code GraphQL Code Generator wrote from operations/*.graphql (src/generated).
import { Client, fetchExchange, type AnyVariables, type TypedDocumentNode } from '@urql/core';
import {
  GenerateDocument,
  GenerationJobDocument,
  MyJobsDocument,
  type GenerationJobQuery,
} from './generated/operations';
import type { GenerationStatus } from './generated/schema';

const FINISHED: readonly GenerationStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

const client = new Client({
  url: process.env.ATRIUM_URL ?? 'http://localhost:4000/graphql',
  exchanges: [fetchExchange],
  fetchOptions: { headers: { 'x-api-key': process.env.ATRIUM_API_KEY ?? '' } },
  // POST every operation: the gateway accepts a GET query only with a CSRF-prevention header.
  preferGetMethod: false,
  requestPolicy: 'network-only',
});

/** Runs a typed operation; a GraphQL error (with its extensions.code) becomes an exception. */
async function call<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  kind: 'query' | 'mutation' = 'query',
): Promise<Data> {
  const result = await client[kind](document, variables).toPromise();
  if (result.error) {
    const codes = result.error.graphQLErrors.map((error) => error.extensions.code);
    throw new Error(`${result.error.message} (${codes.join(', ') || 'network'})`);
  }
  return result.data!;
}

async function waitUntilFinished(id: string): Promise<NonNullable<GenerationJobQuery['generationJob']>> {
  for (;;) {
    const { generationJob } = await call(GenerationJobDocument, { id });
    if (!generationJob) throw new Error(`job ${id} is gone`);
    if (FINISHED.includes(generationJob.status)) return generationJob;
    // Polling keeps the example short; a live view subscribes to generationJobUpdated(id) instead.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main(): Promise<void> {
  const { generate } = await call(
    GenerateDocument,
    { input: { kind: 'SUMMARY', prompt: 'Summarize why typed clients catch schema drift early.' } },
    'mutation',
  );
  const job = await waitUntilFinished(generate.id);
  const { generationJobs } = await call(MyJobsDocument, { first: 5 });
  console.log(
    JSON.stringify({
      created: { id: generate.id, kind: generate.kind, status: generate.status },
      finished: { status: job.status, hasOutput: (job.output ?? '').length > 0, usage: job.usage },
      latest: generationJobs.edges.map(({ node }) => ({ id: node.id, title: node.title })),
      total: generationJobs.totalCount,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
