import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** An Atrium account. Identity owns the User entity; other subgraphs add fields to it by key. */
@Directive('@key(fields: "id")')
@ObjectType('User')
@Entity({ tableName: 'users' })
export class User {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
