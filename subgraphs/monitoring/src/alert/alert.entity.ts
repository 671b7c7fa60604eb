import { randomUUID } from 'node:crypto';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
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

/** A condition an alert rule raised about the platform: FIRING until the condition clears, then RESOLVED. */
@Directive('@key(fields: "id")')
@ObjectType('Alert')
@Entity({ tableName: 'alerts' })
@Index({ properties: ['state', 'startedAt'], name: 'alerts_state_started_at_index' })
export class Alert {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Field({
    description:
      'service-down, breaker-open, queue-backlog, error-rate, refresh-token-reuse, sign-in-failures',
  })
  @Property({ type: 'string', length: 128 })
  rule!: string;

  @Field(() => AlertSeverity)
  @Property({ type: 'string', length: 16 })
  severity!: AlertSeverity;

  @Field(() => AlertState)
  @Property({ type: 'string', length: 16 })
  state: AlertState = AlertState.FIRING;

  @Field()
  @Property({ type: 'text', default: '' })
  summary!: string;

  @Field(() => String, { nullable: true, description: 'The service it is about, when there is one.' })
  @Property({ type: 'string', length: 128, nullable: true })
  service: string | null = null;

  /** The condition's key (rule + subject), e.g. `breaker-open:gateway:subgraph:identity`. */
  @Property({ type: 'string', length: 400, default: '' })
  condition!: string;

  /**
   * The condition's key while FIRING, null once RESOLVED. Unique, so two pollers (or replicas) racing on one
   * condition store one alert.
   */
  @Property({ type: 'string', length: 400, nullable: true, unique: 'alerts_firing_key_unique' })
  firingKey: string | null = null;

  @Field()
  @Property({ type: 'datetime' })
  startedAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  resolvedAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'When an ADMIN acknowledged it (acknowledgeAlert).' })
  @Property({ type: 'datetime', nullable: true })
  acknowledgedAt: Date | null = null;

  @Field(() => ID, { nullable: true, description: 'The user who acknowledged it.' })
  @Property({ type: 'string', length: 64, nullable: true })
  acknowledgedBy: string | null = null;
}
