# syntax=docker/dockerfile:1
# Updraft's image: the `updraft` command with every component (API server and web UI, scheduler, DAG processor,
# worker). Built from the repository root: docker build -t updraft .  (mlops/docker-compose.yml builds it too.)

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: install everything, compile TypeScript and the web UI, then keep production dependencies only ----
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles its addon when no prebuilt one fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/updraft
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/ml/package.json packages/ml/
COPY packages/store/package.json packages/store/
COPY packages/engine/package.json packages/engine/
COPY packages/scheduler/package.json packages/scheduler/
COPY packages/distributed/package.json packages/distributed/
COPY packages/api/package.json packages/api/
COPY packages/ui/package.json packages/ui/
COPY packages/cli/package.json packages/cli/
COPY mlops/package.json mlops/
# Install scripts are off (onnxruntime-node's, a test-only dependency, downloads GPU libraries); the two native
# packages the product needs are built explicitly. `prepare` (a build) runs later, once the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 esbuild
COPY tsconfig.base.json tsconfig.json ./
COPY packages packages
# The `updraft` command (packages/cli/bin/updraft.js): npm ci ran before the sources were copied, so link it now.
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && mkdir -p node_modules/.bin && ln -sf ../updraft/bin/updraft.js node_modules/.bin/updraft \
 && rm -rf packages/*/src packages/*/test packages/*/bench packages/ui/app packages/*/tsconfig*.json packages/*/dist/.tsbuildinfo

# ---- runtime: Node, the built packages, production dependencies, a non-root user ----
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    UPDRAFT_HOME=/opt/updraft/home \
    UPDRAFT_DAGS_FOLDER=/opt/updraft/dags \
    UPDRAFT_LOGS_FOLDER=/opt/updraft/logs \
    UPDRAFT_API_HOST=0.0.0.0 \
    PATH=/opt/updraft/node_modules/.bin:$PATH
WORKDIR /opt/updraft
COPY --from=build /opt/updraft/package.json ./
COPY --from=build /opt/updraft/node_modules node_modules
COPY --from=build /opt/updraft/packages packages
COPY --from=build /opt/updraft/mlops/package.json mlops/
# DAG files under /opt/updraft/dags import @updraft/* from /opt/updraft/node_modules, as they do in the repository.
# The `node` user of the base image (uid 1000) runs everything; compose may pick another uid (UPDRAFT_UID).
RUN mkdir -p home dags logs plugins \
 && chown -R node:0 home dags logs plugins \
 && chmod -R g+rwX home dags logs plugins
USER node
EXPOSE 8080
# The default command serves the API and web UI; this check fits it (compose sets one per component).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/api/v2/monitor/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["updraft"]
CMD ["api-server"]
