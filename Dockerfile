# glue-provisioner as a container: `docker run provisioner up|plan|status|teardown`.
#
#   docker build -t provisioner .        (or `make image`, which falls back to buildah)
#
# Credentials are supplied only when the container runs (AWS_* variables, a
# read-only ~/.aws mounted at /home/node/.aws with AWS_PROFILE, or the
# platform's role); no build step sees any. See docs/container.md.
#
# Builds that must trust a re-signing HTTPS proxy can mount a folder holding an
# `npmrc` (with cafile=...) at /run/npm-build for the RUN steps only, e.g.
# `buildah bud -v "$PWD/npm-build:/run/npm-build:ro"`; scripts/image-build.sh
# does this. Nothing from that folder is copied into any layer.

ARG BASE_IMAGE=node:24-bookworm-slim

# --- dependencies, from the lockfile only, so they stay cached until it changes
FROM ${BASE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN if [ -f /run/npm-build/npmrc ]; then export NPM_CONFIG_USERCONFIG=/run/npm-build/npmrc; fi \
 && npm ci --ignore-scripts --no-audit --no-fund \
 && rm -rf /root/.npm

FROM ${BASE_IMAGE} AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN if [ -f /run/npm-build/npmrc ]; then export NPM_CONFIG_USERCONFIG=/run/npm-build/npmrc; fi \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf /root/.npm

# --- bundle the CLI with the dev dependencies (esbuild, scripts/build.mjs)
FROM deps AS build
COPY scripts/build.mjs ./scripts/
COPY src ./src
# The output tables' schema and the named queries over them, which the job and the tool share, are
# bundled into the CLI.
COPY glue-job/tables.json glue-job/queries.json ./glue-job/
RUN npm run build

# --- runtime: production dependencies, dist/, the data and the Glue scripts
FROM ${BASE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOME=/home/node
WORKDIR /app
COPY --from=prod-deps /src/node_modules ./node_modules
COPY package.json ./
COPY rawdata ./rawdata
COPY glue-job/*.py glue-job/tables.json glue-job/queries.json ./glue-job/
COPY --from=build /src/dist ./dist
# uid/gid of the base image's `node` user, numeric so that "run as non-root"
# policies (Kubernetes runAsNonRoot) can check it.
USER 1000:1000
# The garbage collector settings are those of the first line of src/cli.ts, which says why.
ENTRYPOINT ["node", "--enable-source-maps", "--max-semi-space-size=4", "--heap-growing-percent=30", "/app/dist/cli.js"]
# The CLI stops cleanly on SIGINT (it finishes the AWS call in flight, aborts
# uploads); `docker stop`, ECS and Kubernetes send this instead of SIGTERM.
STOPSIGNAL SIGINT
CMD ["--help"]

ARG BASE_IMAGE
ARG VERSION=0.0.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="glue-provisioner" \
      org.opencontainers.image.description="Provisions, runs and tears down a quarterly AWS Glue pipeline (S3, IAM, Glue crawler, job and workflow)" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"
