import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** identity's User, as far as this subgraph knows it: the key, so it can add `connections`. */
@Directive('@key(fields: "id")')
@ObjectType('User')
export class User {
  @Field(() => ID)
  id!: string;
}

/** `_entities` for User: integrations stores nothing about users, so the key is all there is to resolve. */
export function resolveUserReference(reference: { id: string }): User {
  return { id: reference.id };
}
