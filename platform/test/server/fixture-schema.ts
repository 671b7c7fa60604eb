import { Arg, Field, ID, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import { errors } from '../../src/errors';
import { buildFederatedSchema } from '../../src/federation';
import { allow, createPermissions, hasRole, isAuthenticated } from '../../src/auth';

@ObjectType('Note')
class Note {
  @Field(() => ID) id!: string;
  @Field() text!: string;
}

/** A tiny subgraph exercising every path the shared server must handle. */
@Resolver(() => Note)
class NoteResolver {
  @Query(() => String) hello(): string {
    return 'world';
  }
  @Query(() => Note) note(@Arg('id') id: string): Note {
    return { id, text: 'a note' };
  }
  @Query(() => String) adminOnly(): string {
    return 'secret stuff';
  }
  @Query(() => String) missing(): string {
    throw errors.NOT_FOUND('No such note');
  }
  @Query(() => String) crash(): string {
    throw new Error('db password=hunter2 leaked in a driver message');
  }
  @Query(() => String) unruled(): string {
    return 'no rule: must be denied';
  }
  @Subscription(() => String, {
    subscribe: async function* () {
      yield 'tick';
    },
  })
  ticks(@Root() tick: string): string {
    return tick;
  }
}

export const fixtureSchema = () => buildFederatedSchema({ resolvers: [NoteResolver] });
export const fixturePermissions = (schema: ReturnType<typeof fixtureSchema>) =>
  createPermissions(
    {
      Query: {
        hello: allow,
        note: isAuthenticated,
        adminOnly: hasRole('ADMIN'),
        missing: allow,
        crash: allow,
      },
      Subscription: { ticks: isAuthenticated },
      Note: allow,
    },
    { schema },
  );
