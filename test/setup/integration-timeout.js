/* global jest */
// jest-circus reads only the root `testTimeout`, never a project's, so each project sets its own here: one
// service with real PostgreSQL/Redis (and child processes) on a loaded machine needs more than jest's 5 s.
jest.setTimeout(30_000);
