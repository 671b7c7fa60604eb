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
registerEnumType(AlertSeverity, {
  name: 'AlertSeverity',
  description: 'How urgent an alert is, set by its rule.',
  valuesConfig: {
    INFO: { description: 'Worth knowing; nothing is broken.' },
    WARNING: { description: 'Something is degraded or about to be (a breaker open, a queue backing up).' },
    CRITICAL: { description: 'Something is down or under attack (a service down, refresh tokens reused).' },
  },
});
registerEnumType(AlertState, {
  name: 'AlertState',
  description: "Where an alert is in its life: it fires once, and resolves when its rule's condition clears.",
  valuesConfig: {
    FIRING: { description: 'The condition holds now.' },
    RESOLVED: { description: 'The condition cleared; the alert is kept as history.' },
  },
});

/** A condition an alert rule raised about the platform: FIRING until the condition clears, then RESOLVED. */
@Directive('@key(fields: "id")')
@ObjectType('Alert', {
  description:
    'A condition an alert rule raised about the platform: FIRING until the condition clears, then RESOLVED. ADMIN only (API keys: monitoring:read).',
})
@Entity({ tableName: 'alerts' })
@Index({ properties: ['state', 'startedAt'], name: 'alerts_state_started_at_index' })
export class Alert {
  @Field(() => ID, { description: 'Stable identifier (a UUID); pass it to acknowledgeAlert.' })
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Field({
    description:
      'The rule that raised it: service-down, breaker-open, queue-backlog, error-rate, refresh-token-reuse or sign-in-failures.',
  })
  @Property({ type: 'string', length: 128 })
  rule!: string;

  @Field(() => AlertSeverity, { description: 'How urgent it is.' })
  @Property({ type: 'string', length: 16 })
  severity!: AlertSeverity;

  @Field(() => AlertState, { description: 'FIRING while the condition holds, then RESOLVED.' })
  @Property({ type: 'string', length: 16 })
  state: AlertState = AlertState.FIRING;

  @Field({ description: 'What is wrong, in one line, e.g. "generation is DOWN: connect ECONNREFUSED".' })
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

  @Field({ description: 'When the condition was first seen.' })
  @Property({ type: 'datetime' })
  startedAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When the condition cleared; null while FIRING.' })
  @Property({ type: 'datetime', nullable: true })
  resolvedAt: Date | null = null;

  @Field(() => Date, {
    nullable: true,
    description: 'When an ADMIN first acknowledged it (acknowledgeAlert); null until then.',
  })
  @Property({ type: 'datetime', nullable: true })
  acknowledgedAt: Date | null = null;

  @Field(() => ID, {
    nullable: true,
    description: 'The id of the user who first acknowledged it; null until then.',
  })
  @Property({ type: 'string', length: 64, nullable: true })
  acknowledgedBy: string | null = null;
}
