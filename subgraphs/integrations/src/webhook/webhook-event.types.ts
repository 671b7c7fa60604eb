import { PageInfo } from '@atrium/platform/pagination';
import { Field, ObjectType } from 'type-graphql';
import { WebhookEvent } from './webhook-event.entity';

@ObjectType('WebhookEventEdge', { description: 'One webhook event in a page.' })
export class WebhookEventEdge {
  @Field({ description: 'Pass as `after` to continue after this event.' })
  cursor!: string;

  @Field(() => WebhookEvent, { description: 'The event.' })
  node!: WebhookEvent;
}

@ObjectType('WebhookEventConnection', { description: 'A page of webhook events, newest first.' })
export class WebhookEventConnection {
  @Field(() => [WebhookEventEdge], { description: 'The events of this page.' })
  edges!: WebhookEventEdge[];

  @Field(() => PageInfo, { description: 'Whether more events follow, and the cursor to get them.' })
  pageInfo!: PageInfo;
}
