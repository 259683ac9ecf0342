# rtbench in a container: the package as `npm pack` makes it, installed globally, run as a
# non-root user.
#
#   docker build -t rtbench .
#   docker run --rm --init --network host rtbench run smoke
#   docker run --rm --init --network host --user "$(id -u):$(id -g)" -v "$PWD:/work" rtbench run ticker --target http://127.0.0.1:8080
#
# --network host: a --target on 127.0.0.1 is then the host's loopback (inside the container's
# own network, 127.0.0.1 is the container). --init: a process that forwards Ctrl-C and
# `docker stop` (Node as PID 1 does not act on SIGTERM). Results are written under /work
# (results/ by default): mount a folder there to keep them, as the user who owns it.

# Build: the dev dependencies (TypeScript), the build, the tarball `npm pack` makes of it.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && mkdir /pkg && npm pack --ignore-scripts --pack-destination /pkg

# Run: only the package and its runtime dependencies.
FROM node:20-bookworm-slim
COPY --from=build /pkg/ /tmp/pkg/
RUN npm install --global --no-audit --no-fund /tmp/pkg/rtbench-*.tgz \
 && rm -rf /tmp/pkg \
 && npm cache clean --force \
 && mkdir /work \
 && chown node:node /work
USER node
WORKDIR /work
ENTRYPOINT ["rtbench"]
CMD ["--help"]
