# One recipe for every Atrium process; SERVICE chooses which one the image runs:
#   docker build --build-arg SERVICE=identity -t atrium/identity .
# SERVICE is one of: gateway, identity, integrations, generation, monitoring, generation-worker.
# docker-compose.yml builds the whole stack from this file.

FROM node:20-bookworm-slim AS base
# corepack cannot download pnpm in our build environments; npm installs the exact version that
# package.json's packageManager names, so the lockfile is read by the pnpm that wrote it.
RUN npm install -g pnpm@10.34.9 && npm cache clean --force
WORKDIR /app

# Full install (TypeScript and the other dev dependencies are needed to compile) and `tsc -b` into each dist/.
# `pnpm fetch` needs the lockfile alone, so the download layer is reused until the lockfile changes.
FROM base AS build
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
# pnpm-workspace.yaml names patched dependencies; pnpm fetch refuses to run without their patch files.
COPY patches ./patches
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline
RUN pnpm build

# The same workspace with production dependencies only: reinstalled from the store `pnpm fetch` filled, since
# `pnpm prune` does not support workspaces. Only what a process needs at run time is gathered into /out.
# pnpm links every package through relative symlinks into node_modules/.pnpm; `cp -a` and COPY keep them as
# symlinks, so the layout survives the copy. The gateway resolves ../../schema/supergraph.graphql from gateway/dist,
# and the browser pages (console/dist, bundled at build time, no run-time dependency) from ../../console/dist.
FROM build AS runtime-files
RUN find . -name node_modules -type d -prune -exec rm -rf {} + \
 && pnpm install --frozen-lockfile --prod --offline
RUN mkdir -p /out/schema /out/console \
 && cp -a package.json node_modules /out/ \
 && cp schema/supergraph.graphql /out/schema/supergraph.graphql \
 && cp -a console/dist /out/console/dist \
 && for pkg in platform gateway subgraphs/identity subgraphs/integrations subgraphs/generation subgraphs/monitoring; do \
      mkdir -p "/out/$pkg" && cp -a "$pkg/package.json" "$pkg/node_modules" "$pkg/dist" "/out/$pkg/" || exit 1; \
    done

FROM node:20-bookworm-slim AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    ATRIUM_SERVICE=${SERVICE}
WORKDIR /app
# Owned by root and read-only to the process: a compromised service cannot rewrite its own code.
COPY --from=runtime-files /out/ /app/
# The entry point is chosen once, at build time, so a typo in SERVICE fails the build rather than the start,
# and CMD stays in exec form: node is the process that receives SIGTERM and drains.
RUN case "${SERVICE}" in \
      gateway) entry=gateway/dist/main.js ;; \
      identity|integrations|generation|monitoring) entry="subgraphs/${SERVICE}/dist/main.js" ;; \
      generation-worker) entry=subgraphs/generation/dist/worker/main.js ;; \
      *) echo "SERVICE='${SERVICE}': build with --build-arg SERVICE=<gateway|identity|integrations|generation|monitoring|generation-worker>" >&2; exit 1 ;; \
    esac \
 && if [ ! -f "$entry" ]; then echo "SERVICE=${SERVICE}: $entry was not built" >&2; exit 1; fi \
 && ln -s "$entry" /app/service.js \
 && mkdir -p /app/.data && chown node:node /app/.data
USER node
# Liveness only (/healthz never touches dependencies); compose checks /readyz to order start-up. The port is the
# one the service reads (<NAME>_PORT, GATEWAY_PORT), else its default; the worker serves on GENERATION_PORT.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const s = process.env.ATRIUM_SERVICE.replace(/-worker$/, ''); const defaults = { gateway: 4000, identity: 4001, integrations: 4002, generation: 4003, monitoring: 4004 }; const port = process.env[s.toUpperCase() + '_PORT'] || defaults[s]; fetch('http://127.0.0.1:' + port + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));"]
CMD ["node", "service.js"]
