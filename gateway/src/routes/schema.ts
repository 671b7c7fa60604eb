import { createHash } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';

/** The header naming the schema version: the SHA-256 (hex) of the SDL served at `GET /schema.graphql`. */
export const SCHEMA_VERSION_HEADER = 'x-schema-version';

/** The public schema as integrators download it: sorted SDL and its version, replaced on every schema load. */
export class PublicSchemaDocument {
  private current = { sdl: '', version: '' };

  update(apiSchema: GraphQLSchema): void {
    const sdl = printSchema(lexicographicSortSchema(apiSchema));
    this.current = { sdl, version: createHash('sha256').update(sdl).digest('hex') };
  }

  get sdl(): string {
    return this.current.sdl;
  }

  get version(): string {
    return this.current.version;
  }
}

/**
 * GET /schema.graphql — the public SDL with a strong `ETag` and the `x-schema-version` header (the same hash), so
 * a build can fetch it conditionally: a matching `If-None-Match` gets `304 Not Modified` with no body. `guards`
 * run first (CORS, the IP rate limit).
 */
export function schemaRouter(document: PublicSchemaDocument, ...guards: RequestHandler[]): Router {
  const router = Router();
  router.get('/schema.graphql', ...guards, (req, res) => {
    const etag = `"${document.version}"`;
    res.set({
      etag,
      [SCHEMA_VERSION_HEADER]: document.version,
      'cache-control': 'public, max-age=60',
    });
    if (matches(req.get('if-none-match'), etag)) return void res.status(304).end();
    res.type('text/plain; charset=utf-8').send(document.sdl);
  });
  return router;
}

/**
 * Whether an `If-None-Match` list names this ETag (weak comparison, as RFC 9110 asks for If-None-Match). Express's
 * `req.fresh` is not used: it answers 200 whenever the request says `Cache-Control: no-cache`, which fetch()
 * adds to every conditional request, so no Node or browser client would ever get its 304.
 */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}

/** Stamps every response with the schema version, so a client notices a new schema without downloading it. */
export function schemaVersionHeader(document: PublicSchemaDocument): RequestHandler {
  return (_req, res, next) => {
    res.set(SCHEMA_VERSION_HEADER, document.version);
    next();
  };
}
