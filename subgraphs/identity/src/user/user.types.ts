import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '@atrium/platform/pagination';
import { User } from './user.entity';

@ObjectType('UserEdge', { description: 'One account in a page of `users`.' })
export class UserEdge {
  @Field({ description: 'Opaque; pass it as `after` to continue after this account.' })
  cursor!: string;

  @Field(() => User, { description: 'The account.' })
  node!: User;
}

@ObjectType('UserConnection', { description: 'A page of accounts, oldest first.' })
export class UserConnection {
  @Field(() => [UserEdge], { description: 'The accounts of this page, at most `first`.' })
  edges!: UserEdge[];

  @Field(() => PageInfo, { description: 'Whether more accounts follow, and the cursor to continue from.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'How many accounts match `search`, over all pages.' })
  totalCount!: number;
}
