# syntax=docker/dockerfile:1
# threatloop GitHub App server. Three stages: build (all dependencies, TypeScript compiled to dist/),
# package (exactly the files `npm pack` ships), runtime (Node 24 slim, production dependencies from the
# lockfile, non-root). The runtime stage runs what test/server/package.test.ts starts from a packed
# tarball: no Docker engine runs where the tests run, so the image itself is not built there.

FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the only install script is the `node` dev dependency's, which the image does not need.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY schema ./schema
COPY app.yml ./
RUN npm run build \
 && npm pack --ignore-scripts --pack-destination /tmp \
 && mkdir /package \
 && tar -xzf /tmp/threatloop-*.tgz -C /package --strip-components=1

FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build /package ./
COPY package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The image's own `node` user (uid 1000): the app needs no write access anywhere.
USER node
EXPOSE 3000
# Liveness: /healthz answers while the process can serve HTTP (readiness, /readyz, is for orchestrators).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: /readyz turns 503, the server stops taking webhooks and running syncs get SHUTDOWN_GRACE_MS
# (default 25 s). Exec form, so node is PID 1's child-free process and receives the signal itself.
STOPSIGNAL SIGTERM
CMD ["node", "bin/threatloop-server.js"]
