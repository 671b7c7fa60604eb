import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CircuitState } from '@atrium/platform/federation';

export enum HealthStatus {
  UP = 'UP',
  DEGRADED = 'DEGRADED',
  DOWN = 'DOWN',
}
registerEnumType(HealthStatus, {
  name: 'HealthStatus',
  description: 'How well something works.',
  valuesConfig: {
    UP: { description: 'Works normally.' },
    DEGRADED: {
      description: 'Answers, but something it needs is failing (a breaker open, a queue unreadable).',
    },
    DOWN: { description: 'Does not answer, or cannot do its job.' },
  },
});

@ObjectType('DependencyHealth', {
  description: 'Something a service needs, as that service last checked it.',
})
export class DependencyHealth {
  @Field({ description: 'Which one, e.g. postgres or redis.' }) name!: string;
  @Field({ description: 'database, redis, queue, http, …' }) kind!: string;
  @Field(() => HealthStatus, { description: 'UP when the check passed, else DOWN.' }) status!: HealthStatus;
  @Field(() => Float, {
    nullable: true,
    description: 'How long the check took, in milliseconds; null when not measured.',
  })
  latencyMs!: number | null;
  @Field(() => String, { nullable: true, description: 'Why it failed, when it did.' }) message!:
    string | null;
}

@ObjectType('ServiceHealth', {
  description: 'One service of the platform, from its health document (GET /status).',
})
export class ServiceHealth {
  @Field({ description: 'The service, e.g. gateway, identity, generation (a MONITORING_TARGETS name).' })
  name!: string;
  @Field(() => HealthStatus, {
    description: 'DOWN when it did not answer in time, DEGRADED when a check failed.',
  })
  status!: HealthStatus;
  @Field({ description: 'Its release or package version; "unknown" when it did not answer.' })
  version!: string;
  @Field(() => Float, { description: 'Seconds since the process started; 0 when it did not answer.' })
  uptimeSeconds!: number;
  @Field(() => [DependencyHealth], { description: 'What it depends on, each as it last checked it.' })
  dependencies!: DependencyHealth[];
  @Field({ description: 'When it was probed.' }) checkedAt!: Date;
}

@ObjectType('CircuitBreaker', {
  description: 'A circuit breaker one service keeps for calls to a dependency.',
})
export class CircuitBreaker {
  @Field({ description: 'The process that holds the breaker (a MONITORING_TARGETS name).' }) service!: string;
  @Field({ description: 'The dependency it guards, e.g. subgraph:identity or provider:openai.' })
  name!: string;
  @Field(() => CircuitState, { description: 'Whether calls go through.' }) state!: CircuitState;
  @Field(() => Float, { nullable: true, description: 'Percent of failed calls in its window.' })
  failureRate!: number | null;
  @Field(() => Date, { nullable: true, description: 'When it last opened; null while it has not.' })
  openedAt!: Date | null;
}

@ObjectType('QueueStats', { description: 'Job counts of one work queue, e.g. the generation queue.' })
export class QueueStats {
  @Field({ description: 'The queue.' }) name!: string;
  @Field(() => Int, { description: 'Jobs waiting for a worker.' }) waiting!: number;
  @Field(() => Int, { description: 'Jobs a worker runs now.' }) active!: number;
  @Field(() => Int, { description: 'Jobs waiting for a retry backoff to pass.' }) delayed!: number;
  @Field(() => Int, { description: 'Failed jobs the queue still keeps.' }) failed!: number;
  @Field(() => Int, { description: 'Completed jobs the queue still keeps.' }) completed!: number;
  @Field(() => Float, { nullable: true, description: 'Age of the oldest job still waiting, in seconds.' })
  oldestWaitingSeconds!: number | null;
}

@ObjectType('SystemStatus', {
  description:
    'The health of the whole platform as of the latest poll. ADMIN only (API keys: monitoring:read).',
})
export class SystemStatus {
  @Field(() => HealthStatus, {
    description:
      'DOWN when the gateway or every service is DOWN; UP when every service is UP; else DEGRADED.',
  })
  status!: HealthStatus;
  @Field(() => [ServiceHealth], { description: 'Every service monitoring watches.' })
  services!: ServiceHealth[];
  @Field(() => [CircuitBreaker], { description: 'Every circuit breaker the services report.' })
  circuitBreakers!: CircuitBreaker[];
  @Field(() => [QueueStats], { description: 'Every work queue the services report.' }) queues!: QueueStats[];
  @Field({ description: 'When the poll finished.' }) checkedAt!: Date;
}
