import { Resolver } from 'type-graphql';
import { User } from './user.entity';

/** Account queries and mutations land here with the identity issue; the entity is served by reference now. */
@Resolver(() => User)
export class UserResolver {}
