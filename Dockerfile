# Data Connectors server image. Live mode only: the sandbox (`npm start` with no Zendesk or
# Salesforce settings) listens on 127.0.0.1 and answers loopback names only, so it is not
# reachable in a container. See docs/deploy.md.

# ---- the tools npm ci may need: better-sqlite3 is a native addon, compiled when no prebuilt
# binary matches ----
FROM node:20-bookworm-slim AS toolchain
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./

# ---- build: the server bundle, and the Zendesk sidebar and admin console assets it serves ----
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run zendesk:build && npm run console:build && npm run build:server

# ---- production dependencies only ----
FROM toolchain AS deps
RUN npm ci --omit=dev --no-audit --no-fund

# ---- runtime ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/zendesk-app/assets ./zendesk-app/assets
COPY --from=build /app/admin-console/assets ./admin-console/assets
# The CLI (`npm run connectors -- check | logs | show`) runs from source with tsx.
COPY package.json package-lock.json tsconfig.json ./
COPY server/src ./server/src
COPY shared/src ./shared/src
# The example config; mount your own over /app/config.
COPY config ./config
# The template library (`connectors add`, the console's "New from template").
COPY templates ./templates
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# /health answers 200 while the server serves a configuration; fetch is built into Node 20.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The server drains in-flight runs on SIGTERM before it exits (docker stop sends it).
STOPSIGNAL SIGTERM
CMD ["node", "--max-old-space-size=256", "--no-allocation-site-pretenuring", "--interrupt-budget=8192", "--enable-source-maps", "dist/server.mjs"]
