import { SchemaMigration } from '@atrium/platform/database';

/** Running jobs carry a lease their worker renews; the stalled-job sweep takes back a job whose lease lapsed. */
export class Migration20261129190000GenerationJobsLease extends SchemaMigration {
  override up(): void {
    this.addSchema(
      this.schema.alterTable('generation_jobs', (table) => {
        table.datetime('lease_expires_at').nullable();
        table.index(['status', 'lease_expires_at']);
      }),
    );
    // A job a worker of the previous version is running holds no lease and would never be swept: its lease is
    // its last write, so the sweep takes it back once that lies in the past. A run still alive is fenced off by
    // its run token when another worker takes the job, so the job still ends once.
    this.addSql("update generation_jobs set lease_expires_at = updated_at where status = 'RUNNING'");
  }

  override down(): void {
    this.addSchema(
      this.schema.alterTable('generation_jobs', (table) => {
        table.dropIndex(['status', 'lease_expires_at']);
        table.dropColumn('lease_expires_at');
      }),
    );
  }
}
