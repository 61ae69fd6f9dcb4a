# syntax=docker/dockerfile:1
# One image for every process: the server (default command), the worker
# (`node dist/workers/main.js`) and the migration step (`node dist/scripts/db-migrate.js`).
# Three stages: build compiles TypeScript to dist/; deps installs production dependencies
# only; the runtime image holds those two and nothing else (no TypeScript, no tsx, no dev
# dependencies, no npm), running as the unprivileged `node` user.
ARG NODE_IMAGE=node:24-trixie-slim

# 1. Build: every dependency, then tsc -> dist/ and the assets the code reads at run time.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/patch-postgres.mjs ./scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY server ./server
COPY workers ./workers
COPY db ./db
COPY scripts ./scripts
RUN npm run build

# 2. Production dependencies only, installed fresh (native modules such as argon2 built or
#    fetched for this base image).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/patch-postgres.mjs ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. Runtime.
FROM ${NODE_IMAGE} AS runtime
# npm and corepack are not needed to run the app: fewer files, less to patch.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The process may write only under ./data (development mailbox, embedded PostgreSQL when
# DATABASE_URL is unset); the code stays root-owned and read-only to it.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000

# Liveness only (event loop, no I/O). The worker and migrate services override it.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node itself is PID 1's child (compose `init: true`), so SIGTERM reaches it directly.
CMD ["node", "--enable-source-maps", "dist/server/main.js"]
