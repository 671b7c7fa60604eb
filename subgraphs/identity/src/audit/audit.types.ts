import { Field, ObjectType } from 'type-graphql';
import { PageInfo } from '@atrium/platform/pagination';
import { AuditEvent } from './audit-event.entity';

@ObjectType('AuditEventEdge')
export class AuditEventEdge {
  @Field()
  cursor!: string;

  @Field(() => AuditEvent)
  node!: AuditEvent;
}

@ObjectType('AuditEventConnection')
export class AuditEventConnection {
  @Field(() => [AuditEventEdge])
  edges!: AuditEventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
