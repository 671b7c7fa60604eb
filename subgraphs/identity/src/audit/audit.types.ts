import { ArgsType, Field, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '@atrium/platform/pagination';
import { AuditEvent } from './audit-event.entity';

@ObjectType('AuditEventEdge', { description: 'One event in a page of `auditEvents`.' })
export class AuditEventEdge {
  @Field({ description: 'Opaque; pass it as `after` to continue after this event.' })
  cursor!: string;

  @Field(() => AuditEvent, { description: 'The event.' })
  node!: AuditEvent;
}

@ObjectType('AuditEventConnection', { description: 'A page of the audit log, newest first.' })
export class AuditEventConnection {
  @Field(() => [AuditEventEdge], { description: 'The events of this page, at most `first`.' })
  edges!: AuditEventEdge[];

  @Field(() => PageInfo, { description: 'Whether older events follow, and the cursor to continue from.' })
  pageInfo!: PageInfo;
}

@ArgsType()
export class AuditEventsArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: 50,
    description: 'Page size: at most 100 (more is clamped); negative is BAD_USER_INPUT.',
  })
  first!: number | null;

  @Field(() => String, { nullable: true, description: "The previous page's `endCursor`." })
  after!: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      "ADMIN: only this account's events. Anyone else may name only themself (FORBIDDEN otherwise).",
  })
  userId!: string | null;
}
