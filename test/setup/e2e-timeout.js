/* global jest */
// jest-circus reads only the root `testTimeout`, never a project's: the whole stack per suite needs more.
jest.setTimeout(60_000);
