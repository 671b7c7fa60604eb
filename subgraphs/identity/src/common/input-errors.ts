import { errors } from '@atrium/platform/errors';

export interface FieldProblem {
  field: string;
  message: string;
}

/** One BAD_USER_INPUT naming every problem, so a form can show them all at once. */
export function badInput(problems: FieldProblem[]) {
  return errors.BAD_USER_INPUT(
    `Invalid input: ${problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`,
    { fields: problems },
  );
}

/** Throws BAD_USER_INPUT when there is any problem. */
export function assertNoProblems(problems: FieldProblem[]): void {
  if (problems.length > 0) throw badInput(problems);
}
