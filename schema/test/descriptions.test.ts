import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { deprecationsWithoutReason, descriptionCoverage, undescribedNames } from '../src/descriptions';
import { comparePending, parsePending, printPending } from '../src/pending';

const fixture = buildSchema(readFileSync(join(__dirname, 'fixtures/described.graphql'), 'utf8'));

describe('the description rule', () => {
  it('names every undescribed type, field, argument, input field, enum value and directive', () => {
    expect(undescribedNames(fixture)).toEqual([
      '@cost(bare:)',
      '@undescribed',
      'Job',
      'JobInput.undescribedInputField',
      'Query.job(undescribedArg:)',
      'Query.undescribedField',
      'Status.DONE',
      'Undescribed',
    ]);
  });

  it('leaves out what GraphQL itself defines and describes', () => {
    const names = undescribedNames(buildSchema('"""Root."""\ntype Query { """Greeting.""" hello: String }'));
    expect(names).toEqual([]);
  });

  it('treats a blank description as none', () => {
    expect(undescribedNames(buildSchema('"""  """\ntype Query { """x""" a: Int }'))).toEqual(['Query']);
  });

  it('refuses a bare @deprecated and a reason without the earliest removal date', () => {
    expect(deprecationsWithoutReason(fixture)).toEqual([
      'Query.bareDeprecation: "No longer supported"',
      'Query.undatedDeprecation: "Use job."',
    ]);
  });

  it('counts what is described', () => {
    expect(descriptionCoverage(fixture)).toEqual({ described: 15, total: 23 });
  });
});

describe('the list of names still undescribed', () => {
  it('only shrinks: a described listed name is stale, an unlisted undescribed name is reported', () => {
    const listed = parsePending(printPending(['Query.b', 'Query.a']));
    expect(listed).toEqual(['Query.a', 'Query.b']);
    expect(comparePending(['Query.b', 'Query.c'], listed)).toEqual({
      unlisted: ['Query.c'],
      stale: ['Query.a'],
      stillPending: ['Query.b'],
    });
  });

  it('is deleted once empty', () => {
    expect(printPending([])).toBeUndefined();
    expect(parsePending(undefined)).toEqual([]);
  });
});
