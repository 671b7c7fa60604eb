import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum AlertSeverity {
  INFO = 'INFO',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}
export enum AlertState {
  FIRING = 'FIRING',
  RESOLVED = 'RESOLVED',
}
registerEnumType(AlertSeverity, { name: 'AlertSeverity' });
registerEnumType(AlertState, { name: 'AlertState' });

/** A condition an alert rule raised about the platform. */
@Directive('@key(fields: "id")')
@ObjectType('Alert')
@Entity({ tableName: 'alerts' })
export class Alert {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 128 })
  rule!: string;

  @Property({ type: 'string', length: 16 })
  severity!: AlertSeverity;

  @Property({ type: 'string', length: 16 })
  state: AlertState = AlertState.FIRING;

  @Property({ type: 'datetime' })
  startedAt: Date = new Date();
}
