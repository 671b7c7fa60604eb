import type * as OAuth from 'oauth4webapi' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const oauth: typeof OAuth = require('oauth4webapi');
