# syntax=docker/dockerfile:1
#
# cognito-bff container image. Stages:
#   build    npm ci + npm run build (type-check, dist/, the SPA in dist/local/spa, the Lambda bundle)
#   local    the build stage as a non-root user: cognito-local and the bootstrap CLI for `docker compose up`
#            (development dependencies; never deployed)
#   runtime  the BFF: production dependencies and dist/ only, non-root, health-checked (the default target)
#
# The runtime image serves against the IdP named by the COGNITO_* variables (see the README's configuration table);
# COOKIE_KEYS is required. docker-compose.yml runs it against cognito-local; docs/containers.md explains how.

ARG NODE_IMAGE=node:22-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first: this layer is rebuilt only when the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

FROM build AS local
# Mount points of docker-compose.yml's named volumes: a new volume takes over the ownership of its mount point.
RUN mkdir -p /data/emulator /data/local-stack /data/dynalite && chown node:node /data/emulator /data/local-stack /data/dynalite
ENV AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1 \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
USER node

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no install scripts run (none of them needs one).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# Owned by root, so the user the BFF runs as cannot change its own code.
COPY --from=build /app/dist ./dist
USER node
ENV PORT=3000
EXPOSE 3000
# Node's own fetch: the slim image has no curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server.js"]
