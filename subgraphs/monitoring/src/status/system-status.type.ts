import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum HealthStatus {
  UP = 'UP',
  DEGRADED = 'DEGRADED',
  DOWN = 'DOWN',
}
registerEnumType(HealthStatus, { name: 'HealthStatus' });

export enum CircuitState {
  CLOSED = 'CLOSED',
  OPEN = 'OPEN',
  HALF_OPEN = 'HALF_OPEN',
}
registerEnumType(CircuitState, { name: 'CircuitState' });

@ObjectType('DependencyHealth')
export class DependencyHealth {
  @Field() name!: string;
  @Field({ description: 'database, redis, queue, http, …' }) kind!: string;
  @Field(() => HealthStatus) status!: HealthStatus;
  @Field(() => Float, { nullable: true }) latencyMs!: number | null;
  @Field(() => String, { nullable: true }) message!: string | null;
}

@ObjectType('ServiceHealth')
export class ServiceHealth {
  @Field() name!: string;
  @Field(() => HealthStatus) status!: HealthStatus;
  @Field() version!: string;
  @Field(() => Float) uptimeSeconds!: number;
  @Field(() => [DependencyHealth]) dependencies!: DependencyHealth[];
  @Field() checkedAt!: Date;
}

@ObjectType('CircuitBreaker')
export class CircuitBreaker {
  @Field({ description: 'The process that holds the breaker (a MONITORING_TARGETS name).' }) service!: string;
  @Field({ description: 'The dependency it guards, e.g. subgraph:identity or provider:openai.' })
  name!: string;
  @Field(() => CircuitState) state!: CircuitState;
  @Field(() => Float, { nullable: true, description: 'Percent of failed calls in its window.' })
  failureRate!: number | null;
  @Field(() => Date, { nullable: true }) openedAt!: Date | null;
}

@ObjectType('QueueStats')
export class QueueStats {
  @Field() name!: string;
  @Field(() => Int) waiting!: number;
  @Field(() => Int) active!: number;
  @Field(() => Int) delayed!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int) completed!: number;
  @Field(() => Float, { nullable: true, description: 'Age of the oldest job still waiting, in seconds.' })
  oldestWaitingSeconds!: number | null;
}

@ObjectType('SystemStatus')
export class SystemStatus {
  @Field(() => HealthStatus, {
    description:
      'DOWN when the gateway or every service is DOWN; UP when every service is UP; else DEGRADED.',
  })
  status!: HealthStatus;
  @Field(() => [ServiceHealth]) services!: ServiceHealth[];
  @Field(() => [CircuitBreaker]) circuitBreakers!: CircuitBreaker[];
  @Field(() => [QueueStats]) queues!: QueueStats[];
  @Field() checkedAt!: Date;
}
