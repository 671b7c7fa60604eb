import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';

export enum HealthStatus {
  UP = 'UP',
  DEGRADED = 'DEGRADED',
  DOWN = 'DOWN',
}
registerEnumType(HealthStatus, { name: 'HealthStatus' });

@ObjectType('DependencyHealth')
export class DependencyHealth {
  @Field() name!: string;
  @Field() kind!: string;
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

@ObjectType('SystemStatus')
export class SystemStatus {
  @Field(() => HealthStatus) status!: HealthStatus;
  @Field(() => [ServiceHealth]) services!: ServiceHealth[];
  @Field() checkedAt!: Date;
}
