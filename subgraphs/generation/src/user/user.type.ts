import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** identity's User, as far as this subgraph knows it: the key, so it can add `generationJobs`. */
@Directive('@key(fields: "id")')
@ObjectType('User')
export class User {
  @Field(() => ID)
  id!: string;
}
