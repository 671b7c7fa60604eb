import './console.css';
import { createRoot } from 'react-dom/client';
import { createRequester } from './api/graphql';
import { Live } from './api/live';
import { Session } from './api/session';
import { App } from './app';

const session = new Session();
const live = new Live(session);
const request = createRequester(session);

const container = document.getElementById('console');
if (!container) throw new Error('#console is missing from the page');
createRoot(container).render(<App session={session} request={request} live={live} />);
