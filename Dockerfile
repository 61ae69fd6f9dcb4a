# syntax=docker/dockerfile:1
# One image for both processes: `npm run server` (default) and `npm run worker`.
# TypeScript runs through tsx, a runtime dependency, so there is no build stage.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so the layer is reused until package*.json change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .
# The process may write only under ./data (development mailbox, embedded PostgreSQL when
# DATABASE_URL is unset); the source stays root-owned and read-only to it.
RUN mkdir -p /app/data && chown node:node /app/data

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000

USER node
EXPOSE 3000

# Liveness only (event loop, no I/O). The worker service overrides this in docker-compose.yml.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["npm", "run", "server"]
