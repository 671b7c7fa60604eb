import type { Server } from 'node:http';
import express, { Router, type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { inOrder, notARead, unless } from '../../src/server/layers';
import { Leftovers, baseUrl } from '../../src/testing';

type Handler = RequestHandler | ErrorRequestHandler;

const seen: RequestHandler = (req, res, next) => {
  res.append('x-seen', `${req.baseUrl}|${req.url}`);
  next();
};
const pass: RequestHandler = (_req, _res, next) => next();
const answer: RequestHandler = (req, res) => void res.json({ answered: req.baseUrl, url: req.url });
/** A handler that calls `next` with this argument. */
const nextWith =
  (argument: unknown): RequestHandler =>
  (_req, _res, next) =>
    next(argument as never);
const recover: ErrorRequestHandler = (error: Error, _req, res, _next) =>
  void res.status(418).json({ recovered: error.message });

/** Each case is a chain of handlers, mounted once as separate layers and once through `inOrder`. */
const chains: Array<[string, Handler[]]> = [
  ['every handler calls next, the last answers', [seen, pass, seen, answer]],
  ["next('route') goes on like next()", [seen, nextWith('route'), answer]],
  ["next('router') leaves the app (404)", [seen, nextWith('router'), answer]],
  ['next(error) skips to the error handler after it', [seen, nextWith(new Error('e1')), answer]],
  [
    'a throw is passed on',
    [
      seen,
      () => {
        throw new Error('thrown');
      },
      answer,
    ],
  ],
  ['a rejected promise is passed on', [seen, async () => Promise.reject(new Error('rejected')), answer]],
  ['an error handler in the chain recovers', [nextWith(new Error('mine')), pass, recover, answer]],
  ['an error handler in the chain is skipped without an error', [seen, recover, answer]],
  ['a falsy next argument is no error', [nextWith(null), answer]],
  ['nobody answers: the next layer does (404)', [seen, pass]],
];

const leftovers = new Leftovers();
afterAll(() => leftovers.dispose());

async function serve(mount: (app: Express) => void): Promise<string> {
  const app = express();
  mount(app);
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: error.message, url: _req.url, baseUrl: _req.baseUrl });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  leftovers.add(server, (s) => new Promise((resolve) => s.close(resolve)));
  return baseUrl(server);
}

async function seenBy(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  return {
    status: response.status,
    seen: response.headers.get('x-seen'),
    allow: response.headers.get('allow'),
    body: await response.text(),
  };
}

describe('inOrder: a chain as one router layer answers exactly as separate layers do', () => {
  it.each(chains)('%s', async (_name, handlers) => {
    const after: RequestHandler = (req, res) => void res.status(299).json({ after: req.url });
    const separate = await serve((app) => app.use('/graphql', ...handlers).use('/graphql', after));
    const composed = await serve((app) => app.use('/graphql', inOrder(handlers)).use('/graphql', after));
    for (const path of ['/graphql', '/graphql/sub?x=1', '/other']) {
      const expected = await seenBy(`${separate}${path}`, { method: 'POST' });
      expect(await seenBy(`${composed}${path}`, { method: 'POST' })).toEqual(expected);
    }
  });
});

describe('unless: a router of GET routes skipped for other methods answers as before', () => {
  const routes = () => {
    const router = Router();
    router.get('/healthz', (_req, res) => void res.json({ up: true }));
    router.get('/schema.graphql', seen, (_req, res) => void res.send('type Query'));
    return router;
  };
  it.each([
    ['GET', '/healthz'],
    ['HEAD', '/healthz'],
    ['OPTIONS', '/healthz'],
    ['POST', '/healthz'],
    ['PUT', '/schema.graphql'],
    ['DELETE', '/healthz'],
    ['GET', '/schema.graphql'],
    ['POST', '/graphql'],
    ['GET', '/elsewhere'],
  ])('%s %s', async (method, path) => {
    const after: RequestHandler = (req, res) => void res.status(299).json({ after: req.url });
    const plain = await serve((app) => app.use(routes()).use(after));
    const gated = await serve((app) => app.use(unless(notARead, routes())).use(after));
    expect(await seenBy(`${gated}${path}`, { method })).toEqual(await seenBy(`${plain}${path}`, { method }));
  });
});
