import { ApiKey } from './api-key/api-key.entity';
import { AuditEvent } from './audit/audit-event.entity';
import { MfaChallenge } from './mfa/mfa-challenge.entity';
import { RecoveryCode } from './mfa/recovery-code.entity';
import { Migration20261122000000CreateUsers } from './migrations/Migration20261122000000CreateUsers';
import { Migration20261123000000ExtendUsers } from './migrations/Migration20261123000000ExtendUsers';
import { Migration20261123000100CreateIdentityTables } from './migrations/Migration20261123000100CreateIdentityTables';
import { RefreshToken } from './session/refresh-token.entity';
import { Session } from './session/session.entity';
import { User } from './user/user.entity';

export const entities = [User, Session, RefreshToken, ApiKey, RecoveryCode, MfaChallenge, AuditEvent];

/** In order; names are recorded in the database, so a migration is never renamed once released. */
export const migrations = [
  { name: 'Migration20261122000000CreateUsers', class: Migration20261122000000CreateUsers },
  { name: 'Migration20261123000000ExtendUsers', class: Migration20261123000000ExtendUsers },
  {
    name: 'Migration20261123000100CreateIdentityTables',
    class: Migration20261123000100CreateIdentityTables,
  },
];
